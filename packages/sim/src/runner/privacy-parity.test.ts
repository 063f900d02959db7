import { describe, it, expect } from 'vitest';
import { createSeededRandomSource, deriveSeed } from '@fedrec/core';
import type { RandomSource } from '@fedrec/core';
import { ServerPrivacy } from '@fedrec/server';
import { runFederatedSimulation } from './federated-simulation.js';
import type { PrivacySettings } from './federated-simulation.js';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { useCpuBackend } from '../test-support/small-simulation.js';

useCpuBackend();

/**
 * Every published accuracy-versus-ε figure comes from the simulator, so its
 * rounds must be accounted exactly as the server accounts them (STYLE.md 13).
 * Both run core's DpFedAvgRoundPolicy; this guards that neither side grows
 * its own copy again: the server's real ServerPrivacy, fed the simulator's
 * per-round counts and its count-noise streams, must record the same ledger,
 * byte for byte, the same ε after every round and the same clip bounds.
 */
describe('simulator and server record the same privacy ledger', () => {
  const population = new SyntheticPopulation({ shoppers: 1_000, items: 60, seed: 'privacy-parity' });
  const samplingRate = 0.1;
  const seed = 'parity';
  const adaptiveClipping = { targetQuantile: 0.5, learningRate: 0.3, countNoiseStd: 5 };
  const cases: { name: string; privacy: PrivacySettings }[] = [
    { name: 'distributed, fixed clip bound', privacy: { clipNorm: 0.5, noiseMultiplier: 1.1, delta: 1e-5, placement: 'distributed' } },
    { name: 'distributed, adaptive clipping, calibrated to ε = 3', privacy: { clipNorm: 0.5, noiseMultiplier: 0, targetEpsilon: 3, delta: 1e-5, placement: 'distributed', adaptiveClipping } },
    { name: 'local, adaptive clipping', privacy: { clipNorm: 0.3, noiseMultiplier: 0.9, delta: 1e-5, placement: 'local', adaptiveClipping } },
    { name: 'local, fixed clip bound, calibrated to ε = 4', privacy: { clipNorm: 0.5, noiseMultiplier: 0, targetEpsilon: 4, delta: 1e-6, placement: 'local' } },
  ];

  for (const { name, privacy } of cases) {
    it(name, async () => {
      const rounds = 4;
      const sim = await runFederatedSimulation({ population, dim: 8, rounds, samplingRate, privacy, serverLearningRate: 5, evalShoppers: 40, evalEvery: rounds, seed });
      expect(sim.noiseMultiplier).toBeGreaterThan(0);

      // The server's count noise is its noise source; point it at the stream the simulator used for each round.
      let stream: RandomSource = createSeededRandomSource('unused');
      const noiseSource: RandomSource = { kind: 'seeded', nextFloat: () => stream.nextFloat(), nextUint32: () => stream.nextUint32(), fillUint32: (out) => stream.fillUint32(out) };
      const server = new ServerPrivacy(
        {
          targetEpsilon: privacy.targetEpsilon ?? 1_000,
          delta: privacy.delta,
          clipNorm: privacy.clipNorm,
          noiseMultiplier: sim.noiseMultiplier,
          placement: privacy.placement,
          simulationMode: true,
          ...(privacy.adaptiveClipping ? { adaptiveClipping } : {}),
        },
        samplingRate,
        { noiseSource },
      );
      for (const report of sim.rounds) {
        const plan = server.planRound(population.numShoppers);
        expect(plan).not.toBeNull();
        expect(plan!.message.clipNorm).toBe(report.clipNorm);
        expect(report.cohortSize).toBeGreaterThan(0);
        stream = createSeededRandomSource(deriveSeed(seed, 'count-noise', report.round));
        // An empty mean: the distributed top-up draws nothing, so the count's noise is the round's stream, as in the simulator.
        server.applyRound(plan!, new Float64Array(0), report.cohortSize, report.unclippedCount!);
        expect(server.status().epsilonSpent).toBe(report.epsilon);
      }
      expect(JSON.stringify(server.ledgerJson())).toBe(JSON.stringify(sim.privacyLedger));
      expect(server.status().roundsAccounted).toBe(rounds);
      if (privacy.targetEpsilon !== undefined) expect(sim.epsilon).toBeLessThanOrEqual(privacy.targetEpsilon);
    });
  }
});
