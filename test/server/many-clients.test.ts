import { afterEach, describe, expect, it } from 'vitest';
import type { RoundClosedInfo } from '@fedrec/server';
import { Resources, nextServerEvent, recordingTrainer, startClients, startServer, type RecordedUpdate } from './helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

describe('many clients', () => {
  it('200 concurrent clients on loopback complete several Poisson-sampled rounds', async () => {
    const clients = 200;
    const server = await startServer(resources, {
      model: { numItems: 50, dim: 4, seed: 'crowd' },
      rounds: { minClients: clients, sampling: { kind: 'poisson', rate: 0.5 }, samplingSeed: 'crowd-seed', minUpdates: 20, timeoutMs: 30_000 },
      // All 200 connect from 127.0.0.1 at once: more than one source's handshake burst.
      http: { rateLimits: { handshake: false } },
    });
    const cohortSizes: number[] = [];
    server.events.on('roundOpened', ({ cohort }) => cohortSizes.push(cohort.length));
    const closed: RoundClosedInfo[] = [];
    server.events.on('roundClosed', (round) => closed.push(round));
    const third = nextServerEvent(server, 'roundClosed', ({ modelVersion }) => modelVersion === 3, 50_000);
    const log: RecordedUpdate[] = [];
    startClients(resources, server, clients, (index) => recordingTrainer(index, log));
    await third;

    expect(server.status().clients.connected).toBe(clients);
    const applied = closed.filter((round) => round.outcome === 'applied');
    expect(applied).toHaveLength(3);
    for (const [index, round] of applied.entries()) {
      // Every cohort member answered, and every answer counted.
      expect(round.cause).toBe('target'); // target defaults to the whole cohort
      expect(round.accepted).toBe(cohortSizes[index]);
      expect(log.filter((u) => u.roundId === round.roundId)).toHaveLength(round.accepted);
    }
    // Poisson sampling at q = 0.5 of 200: sizes vary around 100 (±5σ ≈ ±35).
    for (const size of cohortSizes.slice(0, 3)) expect(Math.abs(size - 100)).toBeLessThan(35);
    expect(new Set(cohortSizes.slice(0, 3)).size).toBeGreaterThan(1);
    expect(server.status().updates.rejectedTotal).toBe(0);
  });
});
