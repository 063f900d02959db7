import { describe, expect, it, vi } from 'vitest';
import type { SecAggClientMessage, SecAggServerMessage } from '@fedrec/secagg';
import { SecAggClient, SecAggRejectReason, createRoundConfig } from '@fedrec/secagg';
import { SecureAggregationSession, type SecureAggregationOutcome } from './secure-aggregation-session.js';

const config = createRoundConfig({ roundId: 5, clientCount: 4, vectorLength: 3, graphSeed: new Uint8Array(32).fill(9), neighbourCount: 3, threshold: 3 });
const ids = ['a', 'b', 'c', 'd'];
const inputs = [Uint32Array.of(1, 2, 3), Uint32Array.of(10, 20, 30), Uint32Array.of(100, 200, 300), Uint32Array.of(1000, 2000, 3000)];

/** Four members wired to a session; `silentFrom` members stop answering from that stage on. */
function wire(silentFrom: ReadonlyMap<string, number>, stageTimeoutMs = 300) {
  const outcomes: SecureAggregationOutcome[] = [];
  const clients = new Map(ids.map((id, i) => [id, new SecAggClient({ config, index: i + 1 })]));
  const reply = (id: string, message: SecAggClientMessage): void => {
    if ((silentFrom.get(id) ?? Infinity) <= message.stage) return;
    expect(session.receive(id, { ...message })).toEqual({ accepted: true });
  };
  const session: SecureAggregationSession = new SecureAggregationSession({
    config,
    indices: new Map(ids.map((id, i) => [id, i + 1])),
    firstStageTimeoutMs: 10_000,
    stageTimeoutMs,
    send: (id: string, message: SecAggServerMessage) => {
      const client = clients.get(id)!;
      const raw = { ...message } as Record<string, unknown>;
      const step = async (): Promise<SecAggClientMessage> => {
        if (message.stage === 1) return client.shareKeys(raw);
        if (message.stage === 2) return client.maskedInput(raw, inputs[ids.indexOf(id)]!);
        return client.unmask(raw);
      };
      void step().then((out) => reply(id, out));
    },
    finished: (outcome) => outcomes.push(outcome),
  });
  const start = async (): Promise<void> => {
    for (const id of ids) reply(id, await clients.get(id)!.advertiseKeys());
  };
  return { session, outcomes, start };
}

describe('SecureAggregationSession', () => {
  it('closes a stage when all have answered, and at its deadline: a member that stays connected but silent has dropped out', async () => {
    // Stages 0 and 1 close as soon as all have answered (long before the first deadline); stage 2 at its deadline, d never sent its masked input.
    const { outcomes, start } = wire(new Map([['d', 2]]));
    await start();
    await vi.waitFor(() => expect(outcomes).toHaveLength(1), { timeout: 8000, interval: 20 });
    const [outcome] = outcomes;
    expect(outcome!.ok && outcome!.result.contributors).toEqual([1, 2, 3]);
    expect(outcome!.ok && Array.from(outcome!.result.sum)).toEqual([111, 222, 333]);
  });

  it('refuses a message whose sender is not the connection’s index, and one from outside the cohort', async () => {
    const { session } = wire(new Map());
    const message = await new SecAggClient({ config, index: 2 }).advertiseKeys();
    expect(session.receive('a', { ...message })).toMatchObject({ accepted: false, reason: SecAggRejectReason.WRONG_SENDER });
    expect(session.receive('z', { ...message })).toMatchObject({ accepted: false, reason: SecAggRejectReason.NOT_IN_COHORT });
    expect(session.receive('b', { ...message })).toEqual({ accepted: true });
    session.abort();
  });

  it('aborts with too few survivors and reports why, revealing no sum', async () => {
    const { outcomes, start } = wire(new Map([['c', 1], ['d', 1]]));
    await start();
    await vi.waitFor(() => expect(outcomes).toHaveLength(1), { timeout: 8000, interval: 20 });
    expect(outcomes).toEqual([{ ok: false, code: 'TOO_FEW_SURVIVORS', message: expect.any(String) }]);
  });
});
