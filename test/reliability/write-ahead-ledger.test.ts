import { createHash } from 'node:crypto';
import { readdir, rm, truncate, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PrivacySpend } from '@fedrec/core';
import { PrivacyLedger } from '@fedrec/core';
import type { FedRecServer, FedRecServerOptions } from '@fedrec/server';
import { MODEL_VERSION_HEADER } from '@fedrec/server';
import { Resources, nextServerEvent, startClients, startServer, syntheticDelta } from '../server/helpers.js';
import { canMount, fillDisk, mountSmallDisk } from './full-disk.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const OPERATOR_KEY = 'write-ahead-operator-key';
const Z = 1.3;
const DELTA = 1e-5;

function options(modelDir: string): Partial<FedRecServerOptions> {
  return {
    modelDir,
    rounds: { minClients: 2, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 2, timeoutMs: 30_000 },
    privacy: { targetEpsilon: 1_000, delta: DELTA, clipNorm: 1, noiseMultiplier: Z, placement: 'local' },
    checkpoints: { keep: 10, retryMs: 20 },
    auth: { tokenSecret: 'a-token-secret-for-write-ahead-tests-0123456789', operatorKey: OPERATOR_KEY },
  };
}

/** Every model version ever served by GET /model, with the hash of its bytes: a version must never be served with two different contents. */
class ServedModels {
  readonly byVersion = new Map<number, string>();

  async fetch(server: FedRecServer): Promise<number> {
    const response = await fetch(new URL('/model', server.address!.url));
    const bytes = new Uint8Array(await response.arrayBuffer());
    const version = Number(response.headers.get(MODEL_VERSION_HEADER));
    const hash = createHash('sha256').update(bytes).digest('hex');
    const seen = this.byVersion.get(version);
    if (seen !== undefined) expect(hash, `version ${version} served with different bytes`).toBe(seen);
    this.byVersion.set(version, hash);
    return version;
  }
}

async function publicStatus(server: FedRecServer): Promise<{ releasing: boolean; model: { version: number }; privacy: PrivacySpend | null }> {
  return (await (await fetch(new URL('/status', server.address!.url))).json()) as { releasing: boolean; model: { version: number }; privacy: PrivacySpend | null };
}

const deltaTrainer = (index: number) => ({ roundId, model }: { roundId: number; model: { shape: { numItems: number; dim: number }; version: number } }) => ({
  delta: syntheticDelta(model.shape, model.version, `wal/${index}/${roundId}`),
});

describe('the privacy ledger is durable before a release leaves the process', () => {
  it.skipIf(!canMount())('halts releases on a full disk (nothing unaccounted is served), resumes when space returns, and a crash while halted forgets nothing released', async () => {
    const disk = await mountSmallDisk(resources, 256);
    expect(disk, 'mounting a tmpfs failed').not.toBeNull();
    const modelDir = join(disk!, 'model');
    const served = new ServedModels();
    const firstRun = new Resources();
    const server = await startServer(firstRun, options(modelDir));
    expect(await served.fetch(server)).toBe(0);
    const filler = await fillDisk(disk!);

    const halted = nextServerEvent(server, 'releases', ({ halted: h }) => h);
    const announced: PrivacySpend[] = [];
    server.events.on('roundClosed', (round) => round.privacy !== undefined && round.outcome === 'applied' && announced.push(round.privacy));
    let opened = 0;
    server.events.on('roundOpened', () => opened++);
    startClients(firstRun, server, 2, deltaTrainer);
    const { error } = await halted;
    expect(error).toMatch(/ENOSPC/);

    // Halted: round 1 was aggregated and its ε is in memory, but nothing of it has left the process.
    expect(await served.fetch(server)).toBe(0);
    const status = await publicStatus(server);
    expect(status).toMatchObject({ releasing: false, model: { version: 0 }, privacy: { epsilonSpent: 0 } });
    const operator = server.status();
    expect(operator.checkpoint.lastError).toMatch(/ENOSPC/);
    expect(operator.checkpoint.releasesHaltedSince).not.toBeNull();
    expect(operator.round.phase).toBe('committing');
    expect(announced).toEqual([]);
    expect(opened).toBe(1);

    // A crash now (close with the disk still full: one last attempt fails) loses only what was never released.
    await firstRun.cleanup();
    await rm(filler);
    const restarted = await startServer(resources, options(modelDir));
    expect(await served.fetch(restarted)).toBe(0);
    expect(restarted.status().privacy?.epsilonSpent).toBe(0);

    // With space again: rounds are published only after their checkpoints, and versions keep their bytes.
    const filler2 = await fillDisk(disk!);
    const haltedAgain = nextServerEvent(restarted, 'releases', ({ halted: h }) => h);
    const resumed = nextServerEvent(restarted, 'releases', ({ halted: h }) => !h);
    const applied = nextServerEvent(restarted, 'roundClosed', (round) => round.outcome === 'applied');
    startClients(resources, restarted, 2, deltaTrainer);
    await haltedAgain;
    expect(await served.fetch(restarted)).toBe(0);
    await rm(filler2);
    await resumed;
    const round = await applied;
    expect(round.modelVersion).toBe(1);
    expect(await served.fetch(restarted)).toBe(1);
    expect(await publicStatus(restarted)).toMatchObject({ releasing: true, model: { version: 1 } });
    // The ε every client was told is what the durable ledger holds: one round at (q = 1, z).
    const ledger = new PrivacyLedger();
    ledger.record({ samplingRate: 1, noiseMultiplier: Z });
    expect(round.privacy?.epsilonSpent).toBeCloseTo(ledger.epsilon(DELTA).epsilon, 12);
  });

  it('never reuses a version for other bytes, and charges the rounds only an unreadable checkpoint recorded', async () => {
    const modelDir = await resources.tempDir('fedrec-wal-');
    const served = new ServedModels();
    const firstRun = new Resources();
    const server = await startServer(firstRun, options(modelDir));
    const third = nextServerEvent(server, 'roundClosed', (round) => round.outcome === 'applied' && round.modelVersion === 3);
    let spentAtThree = 0;
    server.events.on('roundClosed', (round) => {
      if (round.modelVersion === 3 && round.outcome === 'applied') spentAtThree = round.privacy!.epsilonSpent;
    });
    startClients(firstRun, server, 2, deltaTrainer);
    await third;
    expect(await served.fetch(server)).toBeGreaterThanOrEqual(3);
    await firstRun.cleanup();

    // The newest checkpoint becomes unreadable (bit rot, a bad copy): the server falls back to an older one.
    const names = (await readdir(modelDir)).filter((name) => name.endsWith('.fckpt')).sort();
    const newest = join(modelDir, names.at(-1)!);
    const newestVersion = Number(/checkpoint-(\d+)/.exec(newest)![1]);
    await truncate(newest, (await stat(newest)).size - 10);
    const restarted = await startServer(resources, options(modelDir));
    expect(restarted.model().version).toBe(newestVersion - 1);
    // Round newestVersion was published, so its ε still counts.
    expect(restarted.status().privacy!.roundsAccounted).toBe(newestVersion);
    expect(restarted.status().privacy!.epsilonSpent).toBeGreaterThanOrEqual(spentAtThree);

    const next = nextServerEvent(restarted, 'roundClosed', (round) => round.outcome === 'applied');
    startClients(resources, restarted, 2, deltaTrainer);
    // The next release skips the unreadable version rather than serve other bytes under it.
    expect((await next).modelVersion).toBe(newestVersion + 1);
    expect(await served.fetch(restarted)).toBe(newestVersion + 1);
  });
});
