import { afterEach, describe, expect, it } from 'vitest';
import { MessageKind, PROTOCOL_VERSION, ProtocolEvent, RejectReason, parameterCount } from '@fedrec/core';
import { SecAggRejectReason, SecAggStage } from '@fedrec/secagg';
import type { FedRecServer } from '@fedrec/server';
import { Resources, SMALL_SHAPE, maxAbsDiff, nextServerEvent, startServer } from '../server/helpers.js';
import { envelope, integerInput, plainSum, startScriptedClient, type ScriptedClient } from './scripted-client.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const LENGTH = parameterCount(SMALL_SHAPE);
// γ = 2^-12 makes every integer input an exact float, so the model moves by exactly sum·γ/n.
const GRANULARITY = 2 ** -12;

async function secureServer(cohort: number, threshold: number): Promise<FedRecServer> {
  return startServer(resources, {
    rounds: { minClients: cohort, sampling: { kind: 'fixed', size: cohort }, minUpdates: 1, timeoutMs: 20_000, cooldownMs: 60_000 },
    // The complete graph: k = n − 1 (the server caps k there, and refuses k < 2 in its config).
    secureAggregation: { enabled: true, neighbours: Math.max(2, cohort - 1), threshold, stageTimeoutMs: 20_000, granularity: GRANULARITY, clipNorm: 1 },
  });
}

async function scripted(server: FedRecServer, count: number, dropAt: (i: number) => number | undefined): Promise<ScriptedClient[]> {
  const clients: ScriptedClient[] = [];
  for (let i = 0; i < count; i++) {
    const drop = dropAt(i);
    const client = await startScriptedClient(server, `member-${i}`, {
      ...(drop !== undefined ? { dropAt: drop } : {}),
      inputFor: (_secure, roundId) => integerInput(LENGTH, i, roundId),
    });
    resources.add(() => void client.socket.disconnect());
    clients.push(client);
  }
  return clients;
}

describe('secure aggregation over real sockets', () => {
  it('gives exactly the plain sum of the quantised updates, and applies their mean', async () => {
    const server = await secureServer(4, 3);
    const before = server.model().values;
    const ended = nextServerEvent(server, 'secureAggregation', (e) => e.roundId === 1);
    const closed = nextServerEvent(server, 'roundClosed', (e) => e.roundId === 1);
    const clients = await scripted(server, 4, () => undefined);
    const result = await ended;
    expect(result).toMatchObject({ outcome: 'completed', droppedAfterSharing: [] });
    expect([...result.contributors].sort()).toEqual(clients.map((c) => c.clientId).sort());
    const expected = plainSum(clients.map((c) => c.input()!), LENGTH);
    expect(Array.from(result.integerSum!)).toEqual(Array.from(expected));
    expect(await closed).toMatchObject({ outcome: 'applied', accepted: 4, modelVersion: 1 });
    const after = server.model().values;
    const mean = expected.map((v) => (v * GRANULARITY) / 4);
    expect(maxAbsDiff(after.map((v, i) => v - before[i]!), mean)).toBeLessThan(1e-6);
  });

  for (const stage of [SecAggStage.advertiseKeys, SecAggStage.shareKeys, SecAggStage.maskedInput, SecAggStage.unmasking]) {
    it(`completes with the survivors' exact sum when two of five drop at stage ${stage}`, async () => {
      const server = await secureServer(5, 3);
      const ended = nextServerEvent(server, 'secureAggregation', (e) => e.roundId === 1);
      const clients = await scripted(server, 5, (i) => (i >= 3 ? stage : undefined));
      const result = await ended;
      expect(result.outcome).toBe('completed');
      // Members that sent a masked input are in the sum, even if they then dropped before unmasking.
      const contributing = stage === SecAggStage.unmasking ? clients : clients.slice(0, 3);
      expect([...result.contributors].sort()).toEqual(contributing.map((c) => c.clientId).sort());
      const expected = plainSum(contributing.map((c) => c.input()!), LENGTH);
      expect(Array.from(result.integerSum!)).toEqual(Array.from(expected));
      expect(result.droppedAfterSharing.length).toBe(stage === SecAggStage.maskedInput ? 2 : 0);
    });
  }

  it('abandons the round, model unchanged, when fewer than t survive', async () => {
    const server = await secureServer(5, 4);
    const before = server.model().values;
    const ended = nextServerEvent(server, 'secureAggregation', (e) => e.roundId === 1);
    const closed = nextServerEvent(server, 'roundClosed', (e) => e.roundId === 1);
    await scripted(server, 5, (i) => (i >= 3 ? SecAggStage.maskedInput : undefined));
    const result = await ended;
    expect(result).toMatchObject({ outcome: 'aborted', reason: 'TOO_FEW_SURVIVORS', contributors: [] });
    expect(result.integerSum).toBeUndefined();
    expect(await closed).toMatchObject({ outcome: 'abandoned', accepted: 0, modelVersion: 0 });
    expect(Array.from(server.model().values)).toEqual(Array.from(before));
  });

  it('refuses tampered, replayed, out-of-order and spoofed messages with a reason, and still sums the honest members', async () => {
    const server = await secureServer(4, 3);
    const ended = nextServerEvent(server, 'secureAggregation', (e) => e.roundId === 1);
    const honest = await scripted(server, 3, () => undefined);
    const rogue = await startScriptedClient(server, 'rogue', {
      inputFor: (_secure, roundId) => integerInput(LENGTH, 99, roundId),
      interpose: (reply, send) => {
        if (reply.stage === SecAggStage.advertiseKeys) {
          send({ ...reply, stage: SecAggStage.maskedInput, maskedInput: new Uint8Array(4 * LENGTH) }); // out of order
          send({ ...reply, sender: reply.sender === 1 ? 2 : 1 }); // spoofs another member
          send(reply);
          send(reply); // replay
        } else if (reply.stage === SecAggStage.maskedInput) {
          send({ ...reply, maskedInput: reply.maskedInput.subarray(4) }); // tampered: one word short
        } else {
          send(reply);
        }
      },
    });
    resources.add(() => void rogue.socket.disconnect());
    await rogue.rejected(4);
    // Having sent no valid masked input, the rogue leaves: it dropped after sharing, and its masks are removed.
    rogue.socket.disconnect();
    const result = await ended;
    expect(result.droppedAfterSharing).toEqual(['rogue']);
    const codes = rogue.rejections.map((r) => [r['reason'], r['secAggReason']]);
    expect(codes).toEqual([
      [RejectReason.SECAGG_REFUSED, SecAggRejectReason.WRONG_STAGE],
      [RejectReason.SECAGG_REFUSED, SecAggRejectReason.WRONG_SENDER],
      [RejectReason.SECAGG_REFUSED, SecAggRejectReason.DUPLICATE],
      [RejectReason.SECAGG_REFUSED, SecAggRejectReason.WRONG_LENGTH],
    ]);
    expect(result.outcome).toBe('completed');
    expect([...result.contributors].sort()).toEqual(honest.map((c) => c.clientId).sort());
    expect(Array.from(result.integerSum!)).toEqual(Array.from(plainSum(honest.map((c) => c.input()!), LENGTH)));
  });

  it('refuses a SecAgg envelope that fails its schema', async () => {
    const server = await secureServer(2, 2);
    const member = await startScriptedClient(server, 'member', { inputFor: () => new Int32Array(LENGTH) });
    resources.add(() => void member.socket.disconnect());
    member.socket.emit(ProtocolEvent.secAggClient, { ...(envelope(1, {}) as object), extra: true }, new Uint8Array(0));
    member.socket.emit(ProtocolEvent.secAggClient, { v: PROTOCOL_VERSION, kind: MessageKind.secAggClient, roundId: 1, message: 'not an object' }, new Uint8Array(0));
    // A placeholder pointing outside the attachment.
    member.socket.emit(ProtocolEvent.secAggClient, envelope(1, { key: { $bytes: [0, 64] } }), new Uint8Array(8));
    member.socket.emit(ProtocolEvent.secAggClient, envelope(1, {}));
    await member.rejected(4);
    expect(member.rejections.map((r) => r['reason'])).toEqual([RejectReason.MALFORMED, RejectReason.MALFORMED, RejectReason.MALFORMED, RejectReason.MALFORMED]);
    expect(server).toBeDefined();
  });
});
