import { afterEach, describe, expect, it } from 'vitest';
import type { TrainingCallback } from '@fedrec/client';
import type { FedRecServer } from '@fedrec/server';
import { Resources, nextServerEvent, startClients, startServer, syntheticDelta } from '../server/helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

async function poll(server: FedRecServer, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(new URL('/status', server.address!.url), { headers });
  expect(response.status).toBe(200);
  return response.json();
}

describe('GET /status is no side channel', () => {
  it('shows the world nothing that moves while a round is open; the operator key shows live detail', async () => {
    const operatorKey = 'public-status-operator-key';
    const server = await startServer(resources, {
      rounds: { minClients: 3, sampling: { kind: 'fixed', size: 3 }, minUpdates: 3, timeoutMs: 30_000 },
      auth: { operatorKey },
    });
    // Each client answers only when the test says so, so the poller can look between updates.
    const gates = [0, 1, 2].map(() => {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return { open, opened };
    });
    const train = (index: number): TrainingCallback => async ({ roundId, model }) => {
      if (roundId === 1) await gates[index]!.opened;
      return { update: syntheticDelta(model.shape, model.version, `status/${index}/${roundId}`) };
    };
    const opened = nextServerEvent(server, 'roundOpened');
    startClients(resources, server, 3, train);
    await opened;

    const before = await poll(server);
    const seen: unknown[] = [];
    const live: number[] = [];
    for (let index = 0; index < 2; index++) {
      const accepted = nextServerEvent(server, 'updateAccepted');
      gates[index]!.open();
      await accepted;
      seen.push(await poll(server));
      live.push(((await poll(server, { authorization: `Bearer ${operatorKey}` })) as { updates: { accepted: number } }).updates.accepted);
    }
    // Two updates arrived: the public view did not move, the operator's did.
    for (const status of seen) expect(status).toEqual(before);
    expect(live).toEqual([1, 2]);

    const closed = nextServerEvent(server, 'roundClosed', (round) => round.roundId === 1);
    gates[2]!.open();
    await closed;
    const after = (await poll(server)) as { rounds: { applied: number; lastClosed: { roundId: number; accepted: number } }; model: { version: number } };
    expect(after).toMatchObject({ rounds: { applied: 1, lastClosed: { roundId: 1, outcome: 'applied', accepted: 3 } }, model: { version: 1 } });
    expect(Object.keys(after).sort()).toEqual(['model', 'privacy', 'protocolVersion', 'releasing', 'rounds', 'state']);
  });
});
