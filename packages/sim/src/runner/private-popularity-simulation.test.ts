import { describe, expect, it } from 'vitest';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { evaluationSample } from '../baselines/evaluation-sample.js';
import { popularityBaseline } from '../baselines/popularity-baseline.js';
import { runOnDeviceSimulation } from './on-device-simulation.js';
import { syntheticCatalogue } from '../catalogue/synthetic-catalogue.js';
import { runPrivatePopularitySimulation } from './private-popularity-simulation.js';

const population = new SyntheticPopulation({ shoppers: 1_500, items: 200, seed: 'private-popularity' });
const base = { population, delta: 1e-5, maxItemsPerShopper: 5, evalShoppers: 300, seed: '9' };

describe('runPrivatePopularitySimulation', () => {
  it('spends the whole target on one release: one Gaussian mechanism on everyone in its ledger, whose ε is the target', () => {
    for (const targetEpsilon of [0.5, 2]) {
      const run = runPrivatePopularitySimulation({ ...base, targetEpsilon });
      expect(run.ledger.toJSON().entries).toEqual([{ samplingRate: 1, noiseMultiplier: run.noiseMultiplier, steps: 1 }]);
      expect(run.epsilon).toBe(run.ledger.epsilon(1e-5).epsilon);
      expect(run.epsilon).toBeLessThanOrEqual(targetEpsilon);
      expect(run.epsilon).toBeGreaterThan(targetEpsilon * 0.999);
      expect(run.noiseStd).toBeCloseTo(run.noiseMultiplier * Math.sqrt(5), 12);
    }
  });

  it('makes the same release as the on-device recommender at the same ε and seed', () => {
    const popularity = runPrivatePopularitySimulation({ ...base, targetEpsilon: 1 });
    const onDevice = runOnDeviceSimulation({ ...base, targetEpsilon: 1, catalogue: syntheticCatalogue(population) });
    expect(popularity.noiseMultiplier).toBe(onDevice.noiseMultiplier);
    expect(popularity.ledger.toJSON()).toEqual(onDevice.ledger.toJSON());
  });

  it('costs accuracy as the noise grows, and with ε = ∞ is the popularity baseline, with no ledger entry', () => {
    const exact = runPrivatePopularitySimulation({ ...base, targetEpsilon: Infinity });
    expect(exact.epsilon).toBe(Infinity);
    expect(exact.ledger.toJSON().entries).toEqual([]);
    expect(exact.evaluation).toEqual(popularityBaseline(population, { evalShoppers: evaluationSample(population.numShoppers, 300, '9'), seed: '9' }));
    // z = 200 on 1,500 shoppers: the counts are mostly noise.
    const noisy = runPrivatePopularitySimulation({ ...base, noiseMultiplier: 200 });
    expect(noisy.evaluation.hr).toBeLessThan(exact.evaluation.hr - 0.05);
  });

  it('same seed, same numbers; another seed, other noise; refuses both a target and a z', () => {
    const a = runPrivatePopularitySimulation({ ...base, noiseMultiplier: 20 });
    expect(runPrivatePopularitySimulation({ ...base, noiseMultiplier: 20 }).evaluation).toEqual(a.evaluation);
    expect(runPrivatePopularitySimulation({ ...base, noiseMultiplier: 20, seed: '10' }).evaluation).not.toEqual(a.evaluation);
    expect(() => runPrivatePopularitySimulation({ ...base, targetEpsilon: 1, noiseMultiplier: 2 })).toThrow(/not both/);
  });
});
