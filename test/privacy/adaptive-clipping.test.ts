import { afterEach, describe, expect, it } from 'vitest';
import { createSeededRandomSource, updateNoiseMultiplier } from '@fedrec/core';
import type { RoundParticipantEvents } from '@fedrec/client';
import { Resources, nextServerEvent, startClients, startServer, syntheticDelta } from '../server/helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

describe('adaptive clipping', () => {
  it('clients report the unclipped bit; the server moves C toward the target quantile and the next round uses it', async () => {
    const adaptiveClipping = { targetQuantile: 0.5, learningRate: 0.5, countNoiseStd: 1 };
    const server = await startServer(resources, {
      rounds: { minClients: 6, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 6 },
      // C = 5 is far above the deltas' norms (about 0.6), so every update comes back unclipped and C must fall:
      // with 6 shoppers the count noise (σ = 1) would have to be below −3σ to turn the step around.
      privacy: { targetEpsilon: 30, delta: 1e-5, clipNorm: 5, noiseMultiplier: 1, simulationMode: true, adaptiveClipping },
      // The noise on the count is seeded so the test's outcome is fixed; servers default to the CSPRNG.
      privacyNoiseSource: createSeededRandomSource('adaptive-clipping-test'),
    });
    const second = nextServerEvent(server, 'roundClosed', (r) => r.roundId === 2 && r.outcome === 'applied');
    const started: RoundParticipantEvents['roundStarted'][] = [];
    const sent: RoundParticipantEvents['updateSent'][] = [];
    const clients = startClients(resources, server, 6, (index) => ({ roundId, model }) => ({ delta: syntheticDelta(model.shape, model.version, `adaptive/${index}/${roundId}`) }));
    for (const client of clients) {
      client.on('roundStarted', (e) => started.push(e));
      client.on('updateSent', (e) => sent.push(e));
    }
    await second;

    const clipOf = (roundId: number) => started.find((e) => e.roundId === roundId)!.privacy!.clipNorm;
    expect(clipOf(1)).toBe(5);
    expect(clipOf(2)).toBeLessThan(5);
    expect(server.status().privacy!.clipNorm).toBeLessThan(clipOf(2));
    // The update gets z_Δ, the ledger charges z: update and count share the budget.
    const zUpdate = updateNoiseMultiplier(1, 1);
    for (const e of sent.filter((s) => s.roundId <= 2)) {
      expect(e.privacy).toMatchObject({ unclippedBitSent: true, clipped: false, noiseMultiplier: zUpdate, accountedNoiseMultiplier: 1 });
    }
    expect(server.status().privacy).toMatchObject({ noiseMultiplier: 1, updateNoiseMultiplier: zUpdate, adaptiveClipping, roundsAccounted: 2 });
    expect(server.status().updates.rejectedTotal).toBe(0);
  });
});
