import { describe, expect, it } from 'vitest';
import { syntheticCatalogue } from '../catalogue/synthetic-catalogue.js';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { evaluationSample } from '../baselines/evaluation-sample.js';
import { onDeviceBaseline } from '../baselines/on-device-baseline.js';
import { itemPopularity } from '../baselines/popularity-baseline.js';
import { runOnDeviceSimulation } from './on-device-simulation.js';

const population = new SyntheticPopulation({ shoppers: 1_500, items: 200, seed: 'on-device-run' });
const base = { population, catalogue: syntheticCatalogue(population), delta: 1e-5, maxItemsPerShopper: 5, evalShoppers: 300, seed: '9' };

describe('runOnDeviceSimulation', () => {
  it('shares only the popularity release: one Gaussian mechanism on everyone in the ledger, whose ε it reports', () => {
    const run = runOnDeviceSimulation({ ...base, targetEpsilon: 1 });
    expect(run.ledger.toJSON().entries).toEqual([{ samplingRate: 1, noiseMultiplier: run.noiseMultiplier, steps: 1 }]);
    expect(run.epsilon).toBe(run.ledger.epsilon(1e-5).epsilon);
    expect(run.epsilon).toBeLessThanOrEqual(1);
    expect(run.epsilon).toBeGreaterThan(0.999);
    expect(run.noiseStd).toBeCloseTo(run.noiseMultiplier * Math.sqrt(5), 12);
  });

  it('gives the same numbers for the same seed, and other noise for another', () => {
    const a = runOnDeviceSimulation({ ...base, noiseMultiplier: 20 });
    expect(runOnDeviceSimulation({ ...base, noiseMultiplier: 20 }).evaluation).toEqual(a.evaluation);
    expect(runOnDeviceSimulation({ ...base, noiseMultiplier: 20, seed: '10' }).evaluation).not.toEqual(a.evaluation);
  });

  it('with ε = ∞ uses exact counts: the non-private reference, with no ledger entry', () => {
    const run = runOnDeviceSimulation({ ...base, targetEpsilon: Infinity });
    expect(run.epsilon).toBe(Infinity);
    expect(run.ledger.toJSON().entries).toEqual([]);
    const reference = onDeviceBaseline(population, { evalShoppers: evaluationSample(population.numShoppers, 300, '9'), seed: '9', catalogue: base.catalogue, popularity: itemPopularity(population) });
    expect(run.evaluation).toEqual(reference);
  });
});
