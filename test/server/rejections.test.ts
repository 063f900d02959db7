import { afterEach, describe, expect, it } from 'vitest';
import type { RejectedMessage, RoundStartMessage } from '@fedrec/core';
import { MessageKind, PROTOCOL_VERSION, ProtocolEvent, RejectReason, encodeUpdate, parameterCount } from '@fedrec/core';
import { createRoundParticipant } from '@fedrec/client';
import { issueToken } from '@fedrec/server';
import { Resources, SMALL_SHAPE, nextClientEvent, nextServerEvent, recordingTrainer, startClients, startServer, syntheticDelta, type RecordedUpdate } from './helpers.js';
import { collect, nextSocketEvent, rawAuth, rawSocket, untilCount } from './raw-socket.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const ready = { v: PROTOCOL_VERSION, kind: MessageKind.ready, eligible: true };
const updateMeta = (roundId: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId, ...extra });

describe('rejections at the boundary', () => {
  it('refuses each bad update with its reason, changes nothing, and keeps serving the next round', async () => {
    const server = await startServer(resources, {
      rounds: { minClients: 3, sampling: { kind: 'fixed', size: 3 }, minUpdates: 3, timeoutMs: 30_000 },
      limits: { maxStrikes: 20 },
    });
    const url = server.address!.url;
    // The attacker joins the cohort like anyone else, then misbehaves.
    const attacker = rawSocket(url, rawAuth(server.issueToken({ clientId: 'attacker' }).token));
    resources.add(() => void attacker.disconnect());
    const invitation = nextSocketEvent(attacker, ProtocolEvent.roundStart);
    attacker.on('connect', () => attacker.emit(ProtocolEvent.ready, ready));
    // A bystander connects but never declares itself ready, so it is never in a cohort.
    const bystander = rawSocket(url, rawAuth(server.issueToken({ clientId: 'bystander' }).token));
    resources.add(() => void bystander.disconnect());
    await nextSocketEvent(bystander, ProtocolEvent.welcome);

    const log: RecordedUpdate[] = [];
    const firstRoundClosed = nextServerEvent(server, 'roundClosed');
    startClients(resources, server, 2, (index) => recordingTrainer(index, log));
    const [meta] = (await invitation) as [RoundStartMessage, Uint8Array];
    const { roundId, modelVersion } = meta;
    // The next round opens as soon as this one closes and its three members answer at once, so it can be
    // over before the checks below are done: listen for it now, not after them.
    const nextApplied = nextServerEvent(server, 'roundClosed', (round) => round.roundId > roundId);
    // In later rounds the attacker behaves, so they can complete.
    attacker.on(ProtocolEvent.roundStart, (next: RoundStartMessage) => {
      if (next.roundId === roundId) return;
      attacker.emit(ProtocolEvent.update, updateMeta(next.roundId), encodeUpdate(syntheticDelta(SMALL_SHAPE, next.modelVersion, 'attacker-2')));
    });
    const good = syntheticDelta(SMALL_SHAPE, modelVersion, 'attacker');
    const goodBytes = encodeUpdate(good);
    const acceptedBefore = server.status().updates.accepted;

    // Not in the cohort (asked while the round is certainly still open: it needs the attacker's update).
    const bystanderRejection = nextSocketEvent(bystander, ProtocolEvent.rejected);
    bystander.emit(ProtocolEvent.update, updateMeta(roundId), goodBytes);
    expect(((await bystanderRejection)[0] as RejectedMessage).reason).toBe(RejectReason.NOT_IN_COHORT);

    const rejected = collect(attacker, ProtocolEvent.rejected) as RejectedMessage[];
    const accepted = collect(attacker, ProtocolEvent.updateAccepted);
    const nan = Float32Array.from(good.values);
    nan[7] = Number.NaN;
    const oversized = new Uint8Array(goodBytes.length + 4);
    oversized.set(goodBytes);
    const bad: [string, unknown[]][] = [
      ['WRONG_SHAPE', [updateMeta(roundId), encodeUpdate({ shape: { numItems: 19, dim: 3 }, baseVersion: modelVersion, values: new Float32Array(19 * 4) })]],
      ['NON_FINITE', [updateMeta(roundId), encodeUpdate({ ...good, values: nan })]],
      ['TOO_LARGE', [updateMeta(roundId), oversized]],
      ['STALE_ROUND', [updateMeta(roundId + 100), goodBytes]],
      ['STALE_ROUND', [updateMeta(roundId), encodeUpdate({ ...good, baseVersion: modelVersion + 1 })]],
      ['MALFORMED', [{ v: PROTOCOL_VERSION, kind: MessageKind.update }, goodBytes]],
      ['MALFORMED', [updateMeta(roundId, { userId: 'smuggled' }), goodBytes]],
      ['MALFORMED', [updateMeta(roundId), Array.from(good.values)]],
      ['MALFORMED', [updateMeta(roundId), goodBytes.subarray(0, 40)]],
      ['UNSUPPORTED_VERSION', [{ ...updateMeta(roundId), v: 2 }, goodBytes]],
    ];
    for (const [, args] of bad) attacker.emit(ProtocolEvent.update, ...args);
    attacker.emit(ProtocolEvent.update, updateMeta(roundId), goodBytes);
    attacker.emit(ProtocolEvent.update, updateMeta(roundId), goodBytes);
    await untilCount(attacker, rejected, bad.length + 1);
    expect(rejected.map((r) => r.reason)).toEqual([...bad.map(([name]) => RejectReason[name as keyof typeof RejectReason]), RejectReason.DUPLICATE]);
    expect(rejected.every((r) => r.kind === MessageKind.rejected && r.message.length > 0)).toBe(true);
    expect(accepted).toHaveLength(1);

    // The round completes with exactly the three good updates.
    const closed = await firstRoundClosed;
    expect(closed).toMatchObject({ roundId, outcome: 'applied', accepted: 3 });
    expect(server.status().updates.accepted - acceptedBefore).toBe(3);
    const counts = server.status().updates.rejected;
    expect(counts).toMatchObject({ WRONG_SHAPE: 1, NON_FINITE: 1, TOO_LARGE: 1, STALE_ROUND: 2, MALFORMED: 4, UNSUPPORTED_VERSION: 1, DUPLICATE: 1, NOT_IN_COHORT: 1 });

    // A late update for the closed round is stale; the next round runs normally.
    const lateRejection = nextSocketEvent(attacker, ProtocolEvent.rejected);
    attacker.emit(ProtocolEvent.update, updateMeta(roundId), goodBytes);
    expect(((await lateRejection)[0] as RejectedMessage).reason).toBe(RejectReason.STALE_ROUND);
    expect(await nextApplied).toMatchObject({ outcome: 'applied', accepted: 3, modelVersion: 2 });
  });

  it('refuses connections with a bad, forged or expired token, or another protocol version', async () => {
    const server = await startServer(resources);
    const url = server.address!.url;
    const refusal = async (auth: unknown): Promise<RejectedMessage> => {
      const socket = rawSocket(url, auth);
      resources.add(() => void socket.disconnect());
      const [error] = (await nextSocketEvent(socket, 'connect_error')) as [Error & { data: RejectedMessage }];
      return error.data;
    };
    // Signed with another key, and a genuine token re-pointed at another client id.
    const forged = issueToken({ secret: 'x'.repeat(40), clientId: 'mallory' }).token;
    const genuine = server.issueToken({ clientId: 'alice' }).token;
    const repointed = genuine.replace('.alice.', '.bob.');
    expect((await refusal(rawAuth('not-a-token'))).reason).toBe(RejectReason.BAD_TOKEN);
    expect((await refusal(rawAuth(forged))).reason).toBe(RejectReason.BAD_TOKEN);
    expect((await refusal(rawAuth(repointed))).reason).toBe(RejectReason.BAD_TOKEN);
    expect((await refusal({})).reason).toBe(RejectReason.BAD_TOKEN);
    expect((await refusal({ token: genuine, protocolVersion: 99 })).reason).toBe(RejectReason.UNSUPPORTED_VERSION);
    // A token whose expiry has passed, with a valid signature.
    const { token: pastToken } = server.issueToken({ clientId: 'past', ttlSeconds: 1 });
    const realNow = Date.now;
    Date.now = () => realNow() + 5_000;
    try {
      expect((await refusal(rawAuth(pastToken))).message).toMatch(/expired/);
    } finally {
      Date.now = realNow;
    }
    expect(server.status().updates.rejected.BAD_TOKEN).toBe(5);

    // The real client surfaces the refusal as a typed event and stops (a fixed token cannot get better).
    const client = createRoundParticipant({ url, token: forged, train: () => null });
    resources.add(() => client.stop());
    const rejected = nextClientEvent(client, 'rejected');
    const stopped = nextClientEvent(client, 'stopped');
    client.start();
    expect(await rejected).toMatchObject({ reason: 'BAD_TOKEN', stage: 'connection' });
    await stopped;

    // The server still serves.
    const response = await fetch(new URL('/status', url));
    expect(response.status).toBe(200);
  });

  it('disconnects a client that keeps sending garbage, refuses it for a while, and survives any payload', async () => {
    const server = await startServer(resources, { limits: { maxStrikes: 3, strikeBanMs: 60_000 } });
    const url = server.address!.url;
    const { token } = server.issueToken({ clientId: 'noisy' });
    const noisy = rawSocket(url, rawAuth(token));
    resources.add(() => void noisy.disconnect());
    await nextSocketEvent(noisy, ProtocolEvent.welcome);
    const rejected = collect(noisy, ProtocolEvent.rejected) as RejectedMessage[];
    const disconnected = nextSocketEvent(noisy, 'disconnect');
    noisy.emit(ProtocolEvent.update, 'just a string');
    noisy.emit(ProtocolEvent.ready, { v: 1, kind: 1, eligible: 'yes' });
    noisy.emit('some-other-event', 42);
    await disconnected;
    expect(rejected.map((r) => r.reason)).toEqual([RejectReason.MALFORMED, RejectReason.MALFORMED, RejectReason.MALFORMED, RejectReason.TOO_MANY_STRIKES]);
    // Banned for a while.
    const again = rawSocket(url, rawAuth(token));
    resources.add(() => void again.disconnect());
    const [error] = (await nextSocketEvent(again, 'connect_error')) as [Error & { data: RejectedMessage }];
    expect(error.data.reason).toBe(RejectReason.TOO_MANY_STRIKES);

    // Arbitrary junk from many clients: every message is answered, nothing throws out of a handler.
    const junk: unknown[][] = [
      [],
      [null],
      [undefined, undefined],
      [123],
      [[1, 2, 3]],
      [{ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId: -1 }, new Uint8Array(3)],
      [{ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId: 1e300 }, new Uint8Array(0)],
      [{ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId: 0, exampleCount: Number.NaN }, new Uint8Array(64)],
      [JSON.parse('{"__proto__": {"polluted": true}, "v": 1, "kind": 4, "roundId": 0}'), new Uint8Array(32)],
      [{ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId: 0 }, new Uint8Array(32), 'extra'],
      [{ nested: { deeper: { deepest: Array.from({ length: 1000 }, (_, i) => i) } } }],
    ];
    const fuzzers = junk.map((_, i) => {
      const socket = rawSocket(url, rawAuth(server.issueToken({ clientId: `fuzz-${i}` }).token));
      resources.add(() => void socket.disconnect());
      return socket;
    });
    await Promise.all(fuzzers.map((socket) => nextSocketEvent(socket, ProtocolEvent.welcome)));
    const answers = fuzzers.map((socket) => nextSocketEvent(socket, ProtocolEvent.rejected));
    fuzzers.forEach((socket, i) => socket.emit(ProtocolEvent.update, ...junk[i]!));
    const reasons = (await Promise.all(answers)).map(([message]) => (message as RejectedMessage).reason);
    expect(reasons.every((reason) => reason === RejectReason.MALFORMED || reason === RejectReason.STALE_ROUND || reason === RejectReason.TOO_LARGE)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // A message over socket.io's size limit is dropped by the transport before it is buffered.
    const huge = rawSocket(url, rawAuth(server.issueToken({ clientId: 'huge' }).token));
    resources.add(() => void huge.disconnect());
    await nextSocketEvent(huge, ProtocolEvent.welcome);
    const dropped = nextSocketEvent(huge, 'disconnect');
    huge.emit(ProtocolEvent.update, updateMeta(0), new Uint8Array(4 * parameterCount(SMALL_SHAPE) * 10 + 1024 * 1024));
    expect((await dropped)[0]).toBe('transport close');

    const status = (await (await fetch(new URL('/status', url))).json()) as { state: string };
    expect(status.state).toBe('running');
  });
});
