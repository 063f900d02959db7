import { encodeUpdate } from '@fedrec/core/format';
import type { ParameterShape } from '@fedrec/core/model';
import { parameterCount } from '@fedrec/core/model';
import { calibrateNoiseMultiplier } from '@fedrec/core/privacy';
import type { UpdateMessage } from '@fedrec/core/protocol';
import { MessageKind, PROTOCOL_VERSION } from '@fedrec/core/protocol';
import { createSeededRandomSource } from '@fedrec/core/random';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveServerConfig, type RoundsConfig } from '../config/server-config.js';
import { ModelState } from '../model/model-state.js';
import { FedAvg } from '../optimisers/fed-avg.js';
import { ServerPrivacy } from '../privacy/server-privacy.js';
import { ServerStats } from '../status/server-stats.js';
import type { AppliedRound, RoundClosedInfo, RoundOpenedInfo } from './round-coordinator.js';
import { RoundCoordinator } from './round-coordinator.js';

const shape: ParameterShape = { numItems: 2, dim: 1 };

function setup(rounds: Partial<RoundsConfig>, privacy: ServerPrivacy | null = null) {
  const model = new ModelState(shape, new Float32Array(parameterCount(shape)), 0);
  const opened: RoundOpenedInfo[] = [];
  const closed: RoundClosedInfo[] = [];
  const commits: AppliedRound[] = [];
  const stats = new ServerStats();
  const coordinator = new RoundCoordinator({
    rounds: resolveServerConfig({ rounds }).rounds,
    samplingSeed: 'coordinator-test',
    nextRoundId: 1,
    model,
    optimiser: new FedAvg({ learningRate: 1 }, model.floats),
    stats,
    logger: pino({ level: 'silent' }),
    privacy,
    hooks: {
      roundOpened: (info) => opened.push(info),
      roundClosed: (info) => closed.push(info),
      commit: async (applied) => {
        commits.push(applied);
      },
    },
  });
  const meta = (roundId: number, extra: Partial<UpdateMessage> = {}): UpdateMessage => ({ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId, ...extra });
  const bytes = (values: number[], baseVersion = model.version, s: ParameterShape = shape) => encodeUpdate({ shape: s, baseVersion, values: new Float32Array(values) });
  const join = (...ids: string[]) => {
    for (const id of ids) {
      coordinator.clientConnected(id);
      coordinator.clientReady(id, true);
    }
  };
  return { model, opened, closed, commits, stats, coordinator, meta, bytes, join };
}

/**
 * Runs the timers due within `ms` and lets promise callbacks (commits)
 * settle. One extra millisecond, because a 0 ms timer is due 1 ms later, as
 * in Node.
 */
async function settle(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms + 1);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RoundCoordinator', () => {
  it('opens a round only once minClients are connected and eligible', async () => {
    const { coordinator, opened, join } = setup({ minClients: 3, sampling: { kind: 'fixed', size: 3 } });
    coordinator.start();
    join('a', 'b');
    coordinator.clientConnected('c'); // connected, not ready
    await settle();
    expect(opened).toHaveLength(0);
    coordinator.clientReady('c', true);
    await settle();
    expect(opened).toHaveLength(1);
    expect(opened[0]!.cohort).toEqual(['a', 'b', 'c']);
    expect(opened[0]!.message).toMatchObject({ roundId: 1, modelVersion: 0, wantsExampleCount: false });
  });

  it('counts each cohort member\'s decline once, by reason; ignores declines from outside the cohort or for another round; keeps the round open', async () => {
    const { coordinator, closed, stats, join } = setup({ minClients: 2, sampling: { kind: 'fixed', size: 2 }, minUpdates: 1, timeoutMs: 1_000 });
    coordinator.start();
    join('a', 'b');
    coordinator.clientConnected('outsider');
    await settle();
    coordinator.clientDeclined('a', 1, 'budget');
    coordinator.clientDeclined('a', 1, 'consent'); // a member's second word changes nothing
    coordinator.clientDeclined('b', 1, 'no-privacy');
    coordinator.clientDeclined('outsider', 1, 'no-privacy');
    coordinator.clientDeclined('b', 7, 'no-privacy');
    await settle();
    // Declines do not close the round early: the deadline does.
    expect(closed).toHaveLength(0);
    await settle(1_000);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ roundId: 1, outcome: 'abandoned', cause: 'deadline', declined: { budget: 1, 'no-privacy': 1, consent: 0, other: 0 } });
    expect(stats.declined).toEqual({ budget: 1, 'no-privacy': 1, consent: 0, other: 0 });
    coordinator.clientDeclined('a', 1, 'budget'); // late: the round has closed
    expect(stats.declined.budget).toBe(1);
    await coordinator.stop();
  });

  it('applies the mean once the target is reached and opens the next round', async () => {
    const { coordinator, opened, closed, commits, model, meta, bytes, join } = setup({ minClients: 2, sampling: { kind: 'fixed', size: 2 }, minUpdates: 2 });
    coordinator.start();
    join('a', 'b');
    await settle();
    expect(coordinator.submitUpdate('a', meta(1), bytes([1, 2, 3, 4]))).toEqual({ ok: true, roundId: 1 });
    expect(coordinator.submitUpdate('b', meta(1), bytes([3, 2, 1, 0]))).toEqual({ ok: true, roundId: 1 });
    await settle();
    expect(Array.from(model.values)).toEqual([2, 2, 2, 2]);
    expect(model.version).toBe(1);
    expect(commits).toEqual([{ roundId: 1, modelVersion: 1, accepted: 2, cohortSize: 2, totalWeight: 2, nextRoundId: 2 }]);
    expect(closed[0]).toMatchObject({ roundId: 1, outcome: 'applied', cause: 'target', modelVersion: 1 });
    expect(opened.map((r) => r.roundId)).toEqual([1, 2]);
  });

  it('refuses stale, foreign, duplicate and mis-shaped updates without changing anything', async () => {
    const { coordinator, meta, bytes, join, model } = setup({ minClients: 2, sampling: { kind: 'fixed', size: 2 }, minUpdates: 2 });
    coordinator.start();
    coordinator.clientConnected('outsider');
    join('a', 'b');
    await settle();
    const reason = (r: ReturnType<typeof coordinator.submitUpdate>) => (r.ok ? 'OK' : r.reason);
    expect(reason(coordinator.submitUpdate('a', meta(7), bytes([1, 1, 1, 1])))).toBe('STALE_ROUND');
    expect(reason(coordinator.submitUpdate('a', meta(1), bytes([1, 1, 1, 1], 5)))).toBe('STALE_ROUND');
    expect(reason(coordinator.submitUpdate('outsider', meta(1), bytes([1, 1, 1, 1])))).toBe('NOT_IN_COHORT');
    expect(reason(coordinator.submitUpdate('a', meta(1), bytes([1, 1, 1], 0, { numItems: 1, dim: 2 })))).toBe('WRONG_SHAPE');
    expect(reason(coordinator.submitUpdate('a', meta(1), bytes([1, Number.POSITIVE_INFINITY, 1, 1])))).toBe('NON_FINITE');
    expect(reason(coordinator.submitUpdate('a', meta(1), new Uint8Array(1000)))).toBe('TOO_LARGE');
    expect(reason(coordinator.submitUpdate('a', meta(1), 'bytes'))).toBe('MALFORMED');
    expect(reason(coordinator.submitUpdate('a', meta(1), bytes([1, 1, 1, 1])))).toBe('OK');
    expect(reason(coordinator.submitUpdate('a', meta(1), bytes([9, 9, 9, 9])))).toBe('DUPLICATE');
    expect(Array.from(model.values)).toEqual([0, 0, 0, 0]);
  });

  it('at the deadline applies a round with minUpdates and abandons one without', async () => {
    const { coordinator, closed, model, meta, bytes, join } = setup({ minClients: 3, sampling: { kind: 'fixed', size: 3 }, minUpdates: 2, timeoutMs: 1_000 });
    coordinator.start();
    join('a', 'b', 'c');
    await settle();
    coordinator.submitUpdate('a', meta(1), bytes([1, 1, 1, 1]));
    await settle(1_000);
    expect(closed[0]).toMatchObject({ roundId: 1, outcome: 'abandoned', cause: 'deadline', accepted: 1, modelVersion: 0 });
    expect(Array.from(model.values)).toEqual([0, 0, 0, 0]);
    // Round 2 opened right after.
    coordinator.submitUpdate('a', meta(2), bytes([1, 1, 1, 1]));
    coordinator.submitUpdate('b', meta(2), bytes([3, 3, 3, 3]));
    await settle(1_000);
    expect(closed[1]).toMatchObject({ roundId: 2, outcome: 'applied', cause: 'deadline', accepted: 2, modelVersion: 1 });
    expect(Array.from(model.values)).toEqual([2, 2, 2, 2]);
  });

  it('closes early when every cohort member has answered or left, and re-invites a member that comes back', async () => {
    const { coordinator, closed, meta, bytes, join } = setup({ minClients: 3, sampling: { kind: 'fixed', size: 3 }, minUpdates: 1 });
    coordinator.start();
    join('a', 'b', 'c');
    await settle();
    coordinator.clientDisconnected('b');
    const invitation = coordinator.clientConnected('b');
    expect(invitation?.message.roundId).toBe(1);
    coordinator.submitUpdate('a', meta(1), bytes([1, 1, 1, 1]));
    coordinator.clientDisconnected('b');
    coordinator.clientDisconnected('c');
    await settle();
    expect(closed[0]).toMatchObject({ outcome: 'applied', cause: 'cohort-done', accepted: 1 });
  });

  it('on stop finishes an open round with enough updates, and opens no more', async () => {
    const { coordinator, closed, commits, opened, meta, bytes, join } = setup({ minClients: 2, sampling: { kind: 'fixed', size: 2 }, minUpdates: 1 });
    coordinator.start();
    join('a', 'b');
    await settle();
    coordinator.submitUpdate('a', meta(1), bytes([1, 1, 1, 1]));
    await coordinator.stop();
    await settle(10_000);
    expect(closed[0]).toMatchObject({ outcome: 'applied', cause: 'shutdown' });
    expect(commits).toHaveLength(1);
    expect(opened).toHaveLength(1);
    expect(coordinator.phaseName).toBe('stopped');
  });

  it('abandons at once a Poisson cohort smaller than minUpdates, and samples again', async () => {
    const { coordinator, closed, opened, join } = setup({ minClients: 1, sampling: { kind: 'poisson', rate: 0.5 }, minUpdates: 5, retryDelayMs: 10 });
    coordinator.start();
    join('a', 'b', 'c', 'd');
    await settle(1_000);
    const tooSmall = closed.filter((round) => round.cause === 'cohort-too-small');
    expect(opened).toHaveLength(0);
    expect(tooSmall.length).toBeGreaterThan(50);
    expect(tooSmall.every((round) => round.outcome === 'abandoned' && round.cohortSize < 5)).toBe(true);
    // Round ids are never reused.
    const ids = [...closed.map((r) => r.roundId), ...opened.map((r) => r.roundId)];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('weights by the clamped example count when configured, and requires it', async () => {
    const { coordinator, model, meta, bytes, join } = setup({ minClients: 2, sampling: { kind: 'fixed', size: 2 }, minUpdates: 2, weighting: 'examples', maxExampleCount: 3 });
    coordinator.start();
    join('a', 'b');
    await settle();
    const missing = coordinator.submitUpdate('a', meta(1), bytes([1, 1, 1, 1]));
    expect(missing.ok ? 'OK' : missing.reason).toBe('MALFORMED');
    coordinator.submitUpdate('a', meta(1, { exampleCount: 1 }), bytes([0, 0, 0, 0]));
    coordinator.submitUpdate('b', meta(1, { exampleCount: 1_000 }), bytes([4, 4, 4, 4])); // counts as 3
    await settle();
    expect(Array.from(model.values)).toEqual([3, 3, 3, 3]);
  });

  describe('with differential privacy', () => {
    const dpRounds = { minClients: 2, sampling: { kind: 'poisson' as const, rate: 1 }, minUpdates: 2 };
    const privacyFor = (privacy: Parameters<typeof resolveServerConfig>[0] & object) =>
      new ServerPrivacy(resolveServerConfig({ modelDir: 'model', rounds: dpRounds, privacy }).privacy!, 1, { noiseSource: createSeededRandomSource('coordinator-dp') });

    it('tells each round its parameters, charges applied rounds only, and opens none once the budget is spent', async () => {
      const z = calibrateNoiseMultiplier({ targetEpsilon: 2, delta: 1e-5, samplingRate: 1, steps: 2 }).noiseMultiplier;
      const privacy = privacyFor({ targetEpsilon: 2, delta: 1e-5, clipNorm: 1, noiseMultiplier: z });
      const { coordinator, opened, closed, model, meta, bytes, join } = setup({ ...dpRounds, timeoutMs: 1_000 }, privacy);
      coordinator.start();
      join('a', 'b');
      await settle();
      expect(opened[0]!.message.privacy).toEqual({ clipNorm: 1, placement: 'local', clientNoiseMultiplier: z, accountedNoiseMultiplier: z, samplingRate: 1, delta: 1e-5 });
      expect(opened[0]!.message.wantsUnclippedBit).toBeUndefined();
      // An abandoned round (one update of the two required) costs nothing.
      coordinator.submitUpdate('a', meta(1), bytes([1, 1, 1, 1]));
      await settle(1_000);
      expect(closed[0]).toMatchObject({ outcome: 'abandoned', privacy: { epsilonSpent: 0, budgetExhausted: false } });
      for (const roundId of [2, 3]) {
        coordinator.submitUpdate('a', meta(roundId), bytes([1, 1, 1, 1]));
        coordinator.submitUpdate('b', meta(roundId), bytes([3, 3, 3, 3]));
        await settle();
      }
      expect(closed.map((r) => r.outcome)).toEqual(['abandoned', 'applied', 'applied']);
      expect(closed[2]!.privacy).toMatchObject({ budgetExhausted: true, targetEpsilon: 2 });
      expect(closed[2]!.privacy!.epsilonSpent).toBeLessThanOrEqual(2);
      // Frozen: eligible clients come and go, time passes, and no round opens.
      join('c');
      coordinator.clientReady('a', true);
      await settle(60_000);
      expect(opened).toHaveLength(3);
      expect(model.version).toBe(2);
      expect(coordinator.currentRoundId).toBeNull();
      expect(coordinator.nextRoundId).toBe(4);
      const late = coordinator.submitUpdate('a', meta(4), bytes([9, 9, 9, 9]));
      expect(late.ok ? 'OK' : late.reason).toBe('STALE_ROUND');
    });

    it('under adaptive clipping requires the unclipped bit and counts it into the bound', async () => {
      // Count noise small enough (σ_b = 0.05 with 2 clients) that no draw can flip
      // "both clipped" into "most unclipped"; z small to match (2σ_b > z), budget large.
      const adaptiveClipping = { targetQuantile: 0.5, learningRate: 0.5, countNoiseStd: 0.05 };
      const privacy = privacyFor({ targetEpsilon: 1e6, delta: 1e-5, clipNorm: 2, noiseMultiplier: 0.05, simulationMode: true, adaptiveClipping });
      const { coordinator, opened, meta, bytes, join } = setup(dpRounds, privacy);
      coordinator.start();
      join('a', 'b');
      await settle();
      expect(opened[0]!.message.wantsUnclippedBit).toBe(true);
      const missing = coordinator.submitUpdate('a', meta(1), bytes([1, 1, 1, 1]));
      expect(missing.ok ? 'OK' : missing.reason).toBe('MALFORMED');
      expect(coordinator.submitUpdate('a', meta(1, { unclipped: false }), bytes([1, 1, 1, 1])).ok).toBe(true);
      expect(coordinator.submitUpdate('b', meta(1, { unclipped: false }), bytes([1, 1, 1, 1])).ok).toBe(true);
      await settle();
      // Both updates were clipped, so the bound grows; round 2 uses the new bound.
      expect(privacy.clipNorm).toBeGreaterThan(2);
      expect(opened[1]!.message.privacy!.clipNorm).toBe(privacy.clipNorm);
    });
  });
});
