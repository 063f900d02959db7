import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { FedRecServer, FedRecServerOptions } from '@fedrec/server';
import { Resources, nextServerEvent, startServer } from './helpers.js';

const RECORDER = fileURLToPath(new URL('./fixtures/record-resolutions.mjs', import.meta.url));
const CLIENTS = fileURLToPath(new URL('./fixtures/client-round.ts', import.meta.url));
const RECOMMEND_ONLY = fileURLToPath(new URL('./fixtures/recommend-only.ts', import.meta.url));
const SECAGG = /\/packages\/secagg\/|\/@fedrec\/secagg\//;
const SOCKET_IO_CLIENT = /\/node_modules\/(socket\.io-client|engine\.io-client)\//;

const resources = new Resources();
afterEach(() => resources.cleanup());

/**
 * Starts `count` cohort members of `server` in a child process (TypeScript
 * sources, `source` condition) that appends every module URL it resolves to
 * `log`; the server stays in this process, so only the client side is recorded.
 */
function spawnClients(server: FedRecServer, count: number, log: string): { stderr: () => string } {
  const tokens = Array.from({ length: count }, (_, i) => server.issueToken({ clientId: `lazy-${i}` }).token);
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', '--import', RECORDER, CLIENTS], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FEDREC_RESOLUTION_LOG: log, FEDREC_CLIENT_URL: server.address!.url, FEDREC_CLIENT_TOKENS: JSON.stringify(tokens) },
  });
  const exited = once(child, 'exit');
  resources.add(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { stderr: () => stderr };
}

async function resolvedUrls(log: string): Promise<string[]> {
  return (await readFile(log, 'utf8')).split('\n').filter((url) => url !== '');
}

const ROUNDS: Partial<FedRecServerOptions> = {
  rounds: { minClients: 2, sampling: { kind: 'fixed', size: 2 }, minUpdates: 2, timeoutMs: 30_000, cooldownMs: 600_000 },
};

/*
 * @fedrec/client loads @fedrec/secagg (the SecAgg+ state machines and the
 * @noble crypto libraries) only when a round invitation asks for secure
 * aggregation (rounds/load-secagg.ts): a shop that never enables it never
 * loads that code, in Node or in the browser bundle's lazy chunk.
 */
describe('the client process', () => {
  it('never loads @fedrec/secagg through a whole plain round', async () => {
    const server = await startServer(resources, ROUNDS);
    const log = join(await resources.tempDir('fedrec-secagg-lazy-'), 'resolved.txt');
    const applied = nextServerEvent(server, 'roundClosed', (e) => e.roundId === 1);
    const { stderr } = spawnClients(server, 2, log);
    expect(await applied, stderr()).toMatchObject({ outcome: 'applied', accepted: 2 });
    const urls = await resolvedUrls(log);
    // The recorder saw the client's round code (else an empty list would pass).
    expect(urls.some((url) => url.includes('/packages/client/src/rounds/'))).toBe(true);
    expect([...new Set(urls.filter((url) => SECAGG.test(url)))]).toEqual([]);
    // Taking part in rounds is what loads socket.io-client (the check in the next describe can fail).
    expect(urls.some((url) => SOCKET_IO_CLIENT.test(url))).toBe(true);
  });

  it('loads @fedrec/secagg when the round runs secure aggregation (the check above can fail)', async () => {
    const server = await startServer(resources, {
      // The complete graph on three members: k = n − 1 = 2, t = 2.
      rounds: { minClients: 3, sampling: { kind: 'fixed', size: 3 }, minUpdates: 1, timeoutMs: 30_000, cooldownMs: 600_000 },
      secureAggregation: { enabled: true, neighbours: 2, threshold: 2, stageTimeoutMs: 30_000, granularity: 2 ** -12, clipNorm: 1 },
    });
    const log = join(await resources.tempDir('fedrec-secagg-lazy-'), 'resolved.txt');
    const ended = nextServerEvent(server, 'secureAggregation', (e) => e.roundId === 1);
    const { stderr } = spawnClients(server, 3, log);
    expect(await ended, stderr()).toMatchObject({ outcome: 'completed' });
    const urls = await resolvedUrls(log);
    expect(urls.some((url) => url.includes('/packages/secagg/src/secagg-client.ts'))).toBe(true);
  });
});

/*
 * socket.io-client loads only when a device first joins training rounds
 * (rounds/load-socket-io.ts, issue #16): a shopper at consent `local`, who
 * only gets recommendations, never loads it (nor, in a browser, downloads it).
 */
describe('a shopper who only gets recommendations', () => {
  it('never loads socket.io-client', async () => {
    const server = await startServer(resources, ROUNDS);
    const log = join(await resources.tempDir('fedrec-socket-lazy-'), 'resolved.txt');
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', '--import', RECORDER, RECOMMEND_ONLY], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FEDREC_RESOLUTION_LOG: log, FEDREC_CLIENT_URL: server.address!.url },
    });
    const exited = once(child, 'exit');
    resources.add(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await exited) as [number | null];
    expect(code, stderr).toBe(0);
    expect(stdout).toBe('recommended 3 personalised true\n');
    const urls = await resolvedUrls(log);
    // The recorder saw the client's recommendation code (else an empty list would pass).
    expect(urls.some((url) => url.includes('/packages/client/src/shopper/recommend-for-shopper.ts'))).toBe(true);
    expect([...new Set(urls.filter((url) => SOCKET_IO_CLIENT.test(url)))]).toEqual([]);
  });
});
