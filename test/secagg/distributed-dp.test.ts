import { afterEach, describe, expect, it } from 'vitest';
import type { RoundParticipant } from '@fedrec/client';
import { Resources, maxAbsDiff, nextServerEvent, startClients, startServer, syntheticDelta } from '../server/helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const COHORT = 50;

describe('distributed DP behind secure aggregation', () => {
  it(`runs DP-FedAvg with distributed discrete Gaussian noise over ${COHORT} real clients with dropouts, without simulationMode`, async () => {
    const server = await startServer(resources, {
      rounds: { minClients: COHORT, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 20, timeoutMs: 30_000, cooldownMs: 60_000 },
      privacy: { targetEpsilon: 50, delta: 1e-5, clipNorm: 1, noiseMultiplier: 1, placement: 'distributed' },
      secureAggregation: { enabled: true, stageTimeoutMs: 30_000 },
    });
    const before = server.model().values;
    const ended = nextServerEvent(server, 'secureAggregation', (e) => e.roundId === 1, 60_000);
    const closed = nextServerEvent(server, 'roundClosed', (e) => e.roundId === 1, 60_000);
    // Fixed "random" dropouts: 3 members leave before advertising keys, 3 as soon as they have emitted their
    // shares (which may or may not reach the server before the disconnect: a dropout at stage 1 or 2).
    const leaveBeforeKeys = new Set([4, 17, 33]);
    const leaveAfterSharing = new Set([8, 21, 42]);
    let clients: RoundParticipant[] = [];
    clients = startClients(resources, server, COHORT, (index) => ({ roundId, model }) => {
      if (leaveBeforeKeys.has(index)) {
        clients[index]!.stop();
        return null;
      }
      return { delta: syntheticDelta(model.shape, model.version, `dp/${index}/${roundId}`) };
    });
    for (const index of leaveAfterSharing) {
      const client = clients[index]!;
      client.on('secAggSent', ({ stage }) => {
        if (stage === 1) client.stop();
      });
    }
    const result = await ended;
    expect(result.reason).toBeUndefined();
    expect(result.outcome).toBe('completed');
    expect(result.contributors.length).toBe(COHORT - 6);
    expect(result.droppedAfterSharing.length).toBeLessThanOrEqual(3);
    expect(await closed).toMatchObject({ outcome: 'applied', accepted: COHORT - 6, modelVersion: 1 });
    const status = server.status().privacy!;
    expect(status).toMatchObject({ placement: 'distributed', simulationMode: false, roundsAccounted: 1 });
    expect(status.epsilonSpent).toBeGreaterThan(0);
    expect(maxAbsDiff(server.model().values, before)).toBeGreaterThan(0);
  });
});
