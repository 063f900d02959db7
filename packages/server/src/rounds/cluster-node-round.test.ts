import { encodeUpdate } from '@fedrec/core/format';
import type { ParameterShape } from '@fedrec/core/model';
import { parameterCount } from '@fedrec/core/model';
import type { UpdateMessage } from '@fedrec/core/protocol';
import { MessageKind, PROTOCOL_VERSION } from '@fedrec/core/protocol';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveServerConfig } from '../config/server-config.js';
import { ModelState } from '../model/model-state.js';
import { FedAvg } from '../optimisers/fed-avg.js';
import { ServerStats } from '../status/server-stats.js';
import { noDeclines } from './decline-counts.js';
import type { AppliedRound, NodeRoundPart, RoundClosedInfo, RoundOpenedInfo } from './round-coordinator.js';
import { RoundCoordinator } from './round-coordinator.js';

const shape: ParameterShape = { numItems: 2, dim: 1 };

/** A RoundCoordinator as a cluster node runs it: rounds come from announcements, parts go to `parts`. */
function setup(options: { secure?: boolean } = {}) {
  const model = new ModelState(shape, new Float32Array(parameterCount(shape)), 0);
  const opened: RoundOpenedInfo[] = [];
  const closed: RoundClosedInfo[] = [];
  const commits: AppliedRound[] = [];
  const parts: NodeRoundPart[] = [];
  const config = resolveServerConfig({ rounds: { minClients: 1, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 5, timeoutMs: 1_000 } });
  const coordinator = new RoundCoordinator({
    rounds: config.rounds,
    samplingSeed: 'node-test',
    nextRoundId: 1,
    model,
    optimiser: new FedAvg({ learningRate: 1 }, model.floats),
    stats: new ServerStats(),
    logger: pino({ level: 'silent' }),
    ...(options.secure === true ? { secureAggregation: resolveServerConfig({ secureAggregation: { enabled: true } }).secureAggregation } : {}),
    hooks: {
      roundOpened: (info) => opened.push(info),
      roundClosed: (info) => closed.push(info),
      commit: async (applied) => {
        commits.push(applied);
      },
    },
    cluster: { partialClosed: (part) => parts.push(part), minSecureGroup: 3 },
  });
  const meta = (roundId: number): UpdateMessage => ({ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId });
  const bytes = (values: number[]) => encodeUpdate({ shape, baseVersion: model.version, values: new Float32Array(values) });
  const join = (...ids: string[]) => {
    for (const id of ids) {
      coordinator.clientConnected(id);
      coordinator.clientReady(id, true);
    }
  };
  return { model, opened, closed, commits, parts, coordinator, meta, bytes, join };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RoundCoordinator as a cluster node', () => {
  it('opens rounds only when announced, and hands on the sum of its own members instead of applying it', async () => {
    const { coordinator, opened, parts, commits, model, meta, bytes, join } = setup();
    coordinator.start();
    join('a', 'b');
    await vi.advanceTimersByTimeAsync(10);
    expect(opened).toHaveLength(0); // minClients is the coordinator's business

    coordinator.openAnnounced({ roundId: 7, modelVersion: 0, privacy: null });
    expect(opened.map((o) => [o.roundId, [...o.cohort]])).toEqual([[7, ['a', 'b']]]);
    expect(coordinator.submitUpdate('a', meta(7), bytes([1, 2, 3, 4]))).toEqual({ ok: true, roundId: 7 });
    expect(coordinator.submitUpdate('b', meta(7), bytes([0.5, 0, 0, -4]))).toEqual({ ok: true, roundId: 7 });
    await vi.advanceTimersByTimeAsync(0);
    // Two updates, below minUpdates (5): a node does not judge that, the coordinator does on the total.
    expect(parts).toHaveLength(1);
    expect({ ...parts[0]!, sum: Array.from(parts[0]!.sum) }).toEqual({
      roundId: 7,
      modelVersion: 0,
      sum: [1.5, 2, 3, 0],
      count: 2,
      totalWeight: 2,
      unclipped: 0,
      cohortSize: 2,
      declined: noDeclines(),
    });
    expect(commits).toEqual([]);
    expect(Array.from(model.values)).toEqual([0, 0, 0, 0]);
    expect(coordinator.nextRoundId).toBe(8);
  });

  it("tells its clients the coordinator's outcome, and drops a round the coordinator has moved past", async () => {
    const { coordinator, closed, parts, opened, join } = setup();
    join('a');
    coordinator.openAnnounced({ roundId: 3, modelVersion: 0, privacy: null });
    coordinator.openAnnounced({ roundId: 4, modelVersion: 0, privacy: null });
    expect(opened.map((o) => o.roundId)).toEqual([3, 4]);
    expect(parts).toEqual([]); // round 3 was dropped, not handed on
    const info: RoundClosedInfo = { roundId: 4, outcome: 'abandoned', cause: 'coordinator-lost', modelVersion: 0, accepted: 0, cohortSize: 0, durationMs: 0, declined: noDeclines() };
    coordinator.announceClosed(info);
    expect(closed).toEqual([info]);
    expect(coordinator.currentRoundId).toBeNull();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(parts).toEqual([]); // the dropped rounds' deadlines never fire
  });

  it('answers at once with an empty part when none of its shoppers is eligible, or the round is on a model it does not serve', () => {
    const { coordinator, parts, opened, join } = setup();
    coordinator.openAnnounced({ roundId: 1, modelVersion: 0, privacy: null });
    join('a');
    coordinator.openAnnounced({ roundId: 2, modelVersion: 5, privacy: null });
    expect(opened).toEqual([]);
    expect(parts.map((p) => [p.roundId, p.count, p.cohortSize])).toEqual([
      [1, 0, 0],
      [2, 0, 0],
    ]);
  });

  it('under secure aggregation, a group below minSecureGroup sits the round out: nobody is invited', () => {
    const { coordinator, parts, opened, join } = setup({ secure: true });
    join('a', 'b');
    coordinator.openAnnounced({ roundId: 1, modelVersion: 0, privacy: null });
    expect(opened).toEqual([]);
    expect(parts.map((p) => [p.roundId, p.count, p.cohortSize])).toEqual([[1, 0, 2]]);
  });

  it('on stop, hands on what its open round has (a node leaving loses nothing), and at the deadline likewise', async () => {
    const { coordinator, parts, meta, bytes, join } = setup();
    join('a', 'b');
    coordinator.openAnnounced({ roundId: 1, modelVersion: 0, privacy: null });
    coordinator.submitUpdate('a', meta(1), bytes([1, 1, 1, 1]));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(parts.map((p) => [p.roundId, p.count, p.cohortSize])).toEqual([[1, 1, 2]]);
    coordinator.openAnnounced({ roundId: 2, modelVersion: 0, privacy: null });
    coordinator.submitUpdate('b', meta(2), bytes([2, 2, 2, 2]));
    await coordinator.stop();
    expect(parts.map((p) => [p.roundId, p.count, Array.from(p.sum)])).toEqual([
      [1, 1, [1, 1, 1, 1]],
      [2, 1, [2, 2, 2, 2]],
    ]);
  });
});
