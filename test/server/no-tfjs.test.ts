import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createRoundParticipant } from '@fedrec/client';
import { issueToken } from '@fedrec/server';
import { Resources, syntheticDelta } from './helpers.js';
import { ServerProcess } from './server-process.js';

const RECORDER = fileURLToPath(new URL('./fixtures/record-resolutions.mjs', import.meta.url));
const CLI_BIN = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));
const TFJS = /\/@tensorflow\//;

const resources = new Resources();
afterEach(() => resources.cleanup());

async function resolved(log: string): Promise<string[]> {
  return (await readFile(log, 'utf8')).split('\n').filter((url) => url !== '');
}

/** A Node process (TypeScript sources, `source` condition) whose every resolved module URL is appended to `log`. */
function spawnRecorded(args: readonly string[], log: string): { child: ReturnType<typeof spawn>; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', '--import', RECORDER, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FEDREC_RESOLUTION_LOG: log },
  });
  resources.add(() => void child.kill('SIGKILL'));
  let stderr = '';
  let killedBy: string | null = null;
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => {
    killedBy = signal as string | null;
    return code as number | null;
  });
  // A null exit code means a signal ended the child: say which, with what it wrote.
  return { child, stderr: () => (killedBy !== null ? `killed by ${killedBy}; stderr: ${stderr}` : stderr), exited };
}

/*
 * The aggregation server averages Float32Arrays; it never trains. Its process
 * must not load TensorFlow.js (tens of MB and a backend to initialise), which
 * it did while `@fedrec/server` imported the flat `@fedrec/core` barrel.
 */
describe('the server process', () => {
  it('never loads TensorFlow.js, through a whole round', async () => {
    const dir = await resources.tempDir('fedrec-no-tfjs-');
    const log = join(dir, 'resolved.txt');
    const secret = randomBytes(32).toString('hex');
    const server = ServerProcess.start(join(dir, 'model'), 0, secret, {}, { flags: ['--import', RECORDER], env: { FEDREC_RESOLUTION_LOG: log } });
    resources.add(() => server.kill('SIGKILL'));
    const { port } = (await server.next((line) => line.event === 'listening')) as unknown as { port: number };

    // Clients live in this (test) process: only the server's module set is recorded.
    for (let index = 0; index < 3; index++) {
      const { token } = issueToken({ secret, clientId: `no-tfjs-${index}` });
      const client = createRoundParticipant({
        url: `http://127.0.0.1:${port}`,
        token,
        train: ({ roundId, model }) => ({ update: syntheticDelta(model.shape, model.version, `${index}/${roundId}`) }),
        reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
      });
      resources.add(() => client.stop());
      client.start();
    }
    await server.next((line) => line.event === 'roundClosed' && line.outcome === 'applied' && line.modelVersion === 1);
    await server.next((line) => line.event === 'checkpointWritten');
    await server.kill('SIGTERM');

    const urls = await resolved(log);
    // The recorder saw the server and its core imports (else an empty list would pass).
    expect(urls.some((url) => url.includes('/packages/server/'))).toBe(true);
    expect(urls.some((url) => url.includes('/packages/core/src/protocol/'))).toBe(true);
    expect([...new Set(urls.filter((url) => TFJS.test(url)))]).toEqual([]);
  });

  it('never loads TensorFlow.js when started as `fedrec server` (the CLI loads the simulator only to simulate)', async () => {
    const dir = await resources.tempDir('fedrec-no-tfjs-');
    const log = join(dir, 'resolved.txt');
    const { child, stderr, exited } = spawnRecorded([CLI_BIN, 'server', '--items', '4', '--dim', '2', '--port', '0', '--model-dir', join(dir, 'model'), '--log-level', 'silent'], log);
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', () => stderr().includes('listening on') && resolve());
      void exited.then(() => reject(new Error(`fedrec server exited before listening: ${stderr()}`)));
    });
    child.kill('SIGTERM');
    expect(await exited, stderr()).toBe(0);
    const urls = await resolved(log);
    expect(urls.some((url) => url.includes('/packages/cli/src/commands/'))).toBe(true);
    expect(urls.some((url) => url.includes('/packages/server/'))).toBe(true);
    expect([...new Set(urls.filter((url) => TFJS.test(url)))]).toEqual([]);
  });

  it('records TensorFlow.js when a process does load it (the checks above can fail)', async () => {
    const dir = await resources.tempDir('fedrec-no-tfjs-');
    const log = join(dir, 'resolved.txt');
    // The convenience barrel still holds training, so importing it loads tfjs.
    const { stderr, exited } = spawnRecorded(['--input-type=module', '-e', "await import('@fedrec/core');"], log);
    expect(await exited, stderr()).toBe(0);
    expect((await resolved(log)).some((url) => TFJS.test(url))).toBe(true);
  });
});
