import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { pino, type Logger } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createMemoryStore, type ShopperClient, type ShopperClientEvents } from '@fedrec/client';
import { DEFAULT_PRIVACY, withDefaultPrivacy } from '@fedrec/server';
import { Resources, nextServerEvent, startServer } from './helpers.js';

/*
 * Issue 16, point 3: a server started with the default configuration trains
 * with shoppers' default clients (`createClient`), which decline rounds that
 * announce no DP parameters; and when rounds are declined, the log and
 * GET /status say why.
 */

const CLI_BIN = fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const resources = new Resources();
afterEach(() => resources.cleanup());

// Recent, so that the default 90-day retention keeps them.
const T = Date.now() - 3_600_000;

/** A shopper's default client that has opted in to contribute, with a short history to train on. */
async function contributingShopper(serverUrl: string, items: readonly number[]): Promise<ShopperClient> {
  const shopper = await createClient({ serverUrl, storage: createMemoryStore(), consent: 'contribute' });
  resources.add(() => shopper.close());
  for (const item of items) await shopper.track({ item, type: 'purchase', time: T + item });
  return shopper;
}

function nextShopperEvent<K extends keyof ShopperClientEvents>(shopper: ShopperClient, event: K, match: (payload: ShopperClientEvents[K]) => boolean): Promise<ShopperClientEvents[K]> {
  return new Promise((resolve) => {
    const listener = (payload: ShopperClientEvents[K]): void => {
      if (!match(payload)) return;
      shopper.off(event, listener);
      resolve(payload);
    };
    shopper.on(event, listener);
  });
}

/** A pino logger that keeps every line. */
function capturingLogger(): { logger: Logger; lines: { level: number; msg: string; declined?: Record<string, number> }[] } {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

describe('the default server trains with the default client', () => {
  it('in process: withDefaultPrivacy gives the stated budget, and a round is applied', async () => {
    const modelDir = await resources.tempDir('fedrec-default-privacy-');
    const server = await startServer(resources, withDefaultPrivacy({ modelDir }));
    expect(server.status().privacy).toMatchObject({ targetEpsilon: DEFAULT_PRIVACY.targetEpsilon, delta: DEFAULT_PRIVACY.delta, placement: 'local', samplingRate: 0.05 });
    const applied = nextServerEvent(server, 'roundClosed', (info) => info.outcome === 'applied');
    const url = server.address!.url;
    const shoppers = [await contributingShopper(url, [1, 2, 3]), await contributingShopper(url, [7, 8, 9])];
    const sent = Promise.race(shoppers.map((shopper) => nextShopperEvent(shopper, 'updateSent', () => true)));
    const round = await applied;
    expect(round.accepted).toBeGreaterThanOrEqual(1);
    expect(round.declined).toEqual({ consent: 0, 'no-privacy': 0, budget: 0, other: 0 });
    expect((await sent).entry).toMatchObject({ placement: 'local', sent: true });
    expect(server.status().privacy!.epsilonSpent).toBeGreaterThan(0);
  });

  it('as `fedrec server` with no privacy settings: it says its budget, and a round is applied', async () => {
    const dir = await resources.tempDir('fedrec-default-privacy-');
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI_BIN, 'server', '--items', '20', '--dim', '3', '--port', '0', '--model-dir', join(dir, 'model'), '--log-level', 'silent'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = once(child, 'exit');
    resources.add(() => void child.kill('SIGKILL'));
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const found = /listening on (\S+)/.exec(stderr);
        if (found !== null && stderr.includes('privacy:')) resolve(found[1]!);
      });
      void exited.then(() => reject(new Error(`fedrec server exited before listening: ${stderr}`)));
    });
    expect(stderr).toMatch(/privacy: the default budget, ε = 3 at δ = 0\.00001, z = 1\.37, q = 0\.05, clip norm 0\.5, local noise/);
    const shoppers = [await contributingShopper(url, [1, 2, 3]), await contributingShopper(url, [7, 8, 9])];
    const closed = await Promise.race(shoppers.map((shopper) => nextShopperEvent(shopper, 'roundClosed', (round) => round.outcome === 'applied')));
    expect(closed.modelVersion).toBe(1);
    child.kill('SIGTERM');
    expect((await exited)[0], stderr).toBe(0);
  });
});

describe('declined rounds', () => {
  it('a server without privacy says why its rounds go without updates: in the log and in GET /status', async () => {
    const { logger, lines } = capturingLogger();
    // No privacy (as createServer without withDefaultPrivacy): every default client declines with `no-privacy`.
    const server = await startServer(resources, { logger, rounds: { minClients: 2, sampling: { kind: 'fixed', size: 2 }, timeoutMs: 5_000, cooldownMs: 600_000 } });
    const closed = nextServerEvent(server, 'roundClosed', (info) => info.cause !== 'cohort-too-small');
    const url = server.address!.url;
    const shoppers = [await contributingShopper(url, [1, 2]), await contributingShopper(url, [3, 4])];
    const declines = shoppers.map((shopper) => nextShopperEvent(shopper, 'roundDeclined', () => true));
    expect((await Promise.all(declines)).map((d) => d.reason)).toEqual(['no-privacy', 'no-privacy']);
    const round = await closed;
    expect(round).toMatchObject({ outcome: 'abandoned', accepted: 0, declined: { 'no-privacy': 2, budget: 0, consent: 0, other: 0 } });

    const status = (await (await fetch(new URL('/status', url))).json()) as { rounds: { lastClosed: { roundId: number; declined: Record<string, number> } } };
    expect(status.rounds.lastClosed).toMatchObject({ roundId: round.roundId, declined: { 'no-privacy': 2 } });
    expect(server.status().rounds.declined).toEqual({ consent: 0, 'no-privacy': 2, budget: 0, other: 0 });
    const warning = lines.find((line) => line.msg.startsWith('round abandoned:'));
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toMatch(/^round abandoned: 2 of 2 cohort members declined \(no-privacy: 2\): the round announced no DP parameters.*configure `privacy`/);
  });
});
