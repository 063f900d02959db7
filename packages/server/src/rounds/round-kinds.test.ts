import { encodeUpdate } from '@fedrec/core/format';
import type { ParameterShape } from '@fedrec/core/model';
import { parameterCount } from '@fedrec/core/model';
import type { RoundStartMessage, SecAggClientEnvelope, UpdateMessage } from '@fedrec/core/protocol';
import { MessageKind, PROTOCOL_VERSION } from '@fedrec/core/protocol';
import { createSeededRandomSource } from '@fedrec/core/random';
import type { SecAggClientMessage, SecAggServerMessage } from '@fedrec/secagg';
import { SecAggClient, createRoundConfig, quantise, toModular } from '@fedrec/secagg';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { resolveServerConfig, type SecureAggregationConfig } from '../config/server-config.js';
import { ServerStats } from '../status/server-stats.js';
import { chooseRoundKind } from './choose-round-kind.js';
import type { CloseCause } from './close-cause.js';
import type { AggregationRound, RoundHost } from './round-kind.js';
import { UpdateAccumulator } from './update-accumulator.js';

const shape: ParameterShape = { numItems: 2, dim: 1 };
const floats = parameterCount(shape);
const cohort = ['a', 'b', 'c'];
/** Multiples of γ = 2⁻¹⁰, so quantising them is exact and both kinds must give the same sum. */
const GRANULARITY = 2 ** -10;
const updates: Record<string, number[]> = {
  a: [0.5, -0.25, 0.125, 0],
  b: [-0.0625, 0.25, 0.5, -0.5],
  c: [0.25, 0.25, -0.125, 0.375],
};
const message: RoundStartMessage = { v: PROTOCOL_VERSION, kind: MessageKind.roundStart, roundId: 7, modelVersion: 3, timeoutMs: 5_000, wantsExampleCount: false };
const updateMeta: UpdateMessage = { v: PROTOCOL_VERSION, kind: MessageKind.update, roundId: 7 };

/** A host that records how the round asked to close. */
function testHost() {
  const closes: CloseCause[] = [];
  const accumulator = new UpdateAccumulator(floats);
  const stats = new ServerStats();
  const host: RoundHost = {
    rounds: resolveServerConfig({ rounds: { minUpdates: 3, timeoutMs: 5_000 } }).rounds,
    shape,
    floats,
    accumulator,
    stats,
    logger: pino({ level: 'silent' }),
    privacyPolicy: null,
    closeSoon: (cause) => closes.push(cause),
    closeNow: (cause) => closes.push(cause),
    guard: (_what, fn) => fn(),
  };
  return { host, closes, accumulator, stats };
}

const opening = { roundId: 7, modelVersion: 3, cohort, privacy: null };

function open(kind: ReturnType<typeof chooseRoundKind>, host: RoundHost): AggregationRound {
  const opened = kind(opening, host);
  if (!opened.ok) throw new Error(`expected the round to open, got ${opened.refusal.cause}`);
  return opened.round;
}

/** Each member sends its update as a plain update. */
async function runPlain() {
  const { host, closes, accumulator, stats } = testHost();
  const round = open(chooseRoundKind({}, {}), host);
  for (const id of cohort) {
    const bytes = encodeUpdate({ shape, baseVersion: 3, values: Float32Array.from(updates[id]!) });
    expect(round.submitUpdate(id, updateMeta, bytes)).toEqual({ ok: true, roundId: 7 });
  }
  round.dispose();
  return { closes, count: accumulator.count, accepted: stats.updatesAccepted, mean: Array.from(accumulator.takeMean()), round };
}

/** Each member runs SecAgg+ (real clients over the round's own messages), sending its quantised update as the masked input. */
async function runSecure() {
  const settings: SecureAggregationConfig = resolveServerConfig({ secureAggregation: { enabled: true, granularity: GRANULARITY, stageTimeoutMs: 5_000 } }).secureAggregation!;
  const { host, closes, accumulator, stats } = testHost();
  const clients = new Map<string, SecAggClient>();
  const invitations = new Map<string, NonNullable<RoundStartMessage['secureAggregation']>>();
  const envelope = (message: SecAggClientMessage): SecAggClientEnvelope => ({ v: PROTOCOL_VERSION, kind: MessageKind.secAggClient, roundId: 7, message: { ...message } });
  const reply = (id: string, out: SecAggClientMessage): void => {
    expect(round.submitSecAgg(id, envelope(out))).toEqual({ ok: true, roundId: 7 });
  };
  const ended: string[] = [];
  const round: AggregationRound = open(
    chooseRoundKind(
      { secureAggregation: settings },
      {
        sendSecAgg: (id: string, _roundId: number, message: SecAggServerMessage) => {
          const client = clients.get(id)!;
          const raw = { ...message } as Record<string, unknown>;
          const step = async (): Promise<SecAggClientMessage> => {
            if (message.stage === 1) return client.shareKeys(raw);
            if (message.stage === 2) {
              const invitation = invitations.get(id)!;
              const ints = quantise(updates[id]!, invitation.granularity, createSeededRandomSource('unused: the values are exact'));
              return client.maskedInput(raw, toModular(ints, invitation.coordinateBound));
            }
            return client.unmask(raw);
          };
          void step().then((out) => reply(id, out));
        },
        secureAggregationEnded: (info) => ended.push(info.outcome),
      },
    ),
    host,
  );
  for (const id of cohort) {
    const invitation = round.invitationFor!(message, id).secureAggregation!;
    invitations.set(id, invitation);
    const { clientIndex, clientCount, vectorLength, neighbourCount, threshold, graphSeed } = invitation;
    clients.set(id, new SecAggClient({ config: createRoundConfig({ roundId: 7, clientCount, vectorLength, neighbourCount, threshold, graphSeed }), index: clientIndex }));
  }
  for (const id of cohort) reply(id, await clients.get(id)!.advertiseKeys());
  await vi.waitFor(() => expect(closes).toHaveLength(1), { timeout: 10_000, interval: 20 });
  round.dispose();
  expect(ended).toEqual(['completed']);
  return { closes, count: accumulator.count, accepted: stats.updatesAccepted, mean: Array.from(accumulator.takeMean()), round };
}

describe('round kinds, through the AggregationRound interface', () => {
  it('a plain round and a secure round of the same updates close into the same sum and count (no noise)', async () => {
    const plain = await runPlain();
    const secure = await runSecure();
    const expected = [0, 1, 2, 3].map((i) => cohort.reduce((sum, id) => sum + updates[id]![i]!, 0) / cohort.length);
    expect(plain.mean).toEqual(expected);
    expect(secure.mean).toEqual(expected);
    expect([plain.count, plain.accepted, secure.count, secure.accepted]).toEqual([3, 3, 3, 3]);
    // Each completes in its own way: the plain round at its target, the secure one when its session finishes.
    expect(plain.closes).toEqual(['target']);
    expect(secure.closes).toEqual(['secure-aggregation']);
  });

  it('each refuses the other kind’s messages, and only a plain round takes back a member that reconnects', () => {
    const plainHost = testHost();
    const plain = open(chooseRoundKind({}, {}), plainHost.host);
    const secure = open(chooseRoundKind({ secureAggregation: resolveServerConfig({ secureAggregation: { enabled: true } }).secureAggregation }, {}), testHost().host);
    const bytes = encodeUpdate({ shape, baseVersion: 3, values: Float32Array.from(updates['a']!) });
    expect(secure.submitUpdate('a', updateMeta, bytes)).toMatchObject({ ok: false, reason: 'WRONG_AGGREGATION', roundId: 7 });
    expect(plain.submitSecAgg('a', { v: PROTOCOL_VERSION, kind: MessageKind.secAggClient, roundId: 7, message: {} })).toMatchObject({ ok: false, reason: 'WRONG_AGGREGATION', roundId: 7 });
    expect([plain.rejoin('a'), secure.rejoin('a')]).toEqual([true, false]);
    expect(plain.invitationFor).toBeUndefined();
    expect(secure.invitationFor!(message, 'b').secureAggregation).toMatchObject({ clientIndex: 2, clientCount: 3 });
    // The backstop allows stage 0 (timeoutMs), three later stages and one stage of slack.
    expect([plain.deadlineMs, secure.deadlineMs]).toEqual([5_000, 5_000 + 4 * 10_000]);
    // A plain round is done once every member has submitted or left.
    plain.leave('a');
    plain.leave('b');
    expect(plainHost.closes).toEqual([]);
    plain.leave('c');
    expect(plainHost.closes).toEqual(['cohort-done']);
    plain.dispose();
    secure.dispose();
  });
});
