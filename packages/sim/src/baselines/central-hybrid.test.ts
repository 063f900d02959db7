import { describe, expect, it } from 'vitest';
import { buildCatalogue } from '@fedrec/core/catalogue';
import { syntheticCatalogue } from '../catalogue/synthetic-catalogue.js';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { HYBRID_DEFAULTS } from '../defaults/simulate-defaults.js';
import { runHybridSimulation } from '../runner/hybrid-simulation.js';
import { evaluationSample } from './evaluation-sample.js';
import { centralHybridBaseline, trainCentralHybrid } from './central-hybrid.js';

const population = new SyntheticPopulation({ shoppers: 1_500, items: 150, seed: 'central-hybrid' });
const catalogue = syntheticCatalogue(population);
const model = { ...HYBRID_DEFAULTS.model, identityItems: 20 };
const evalShoppers = evaluationSample(population.numShoppers, 300, 'c');
const base = { catalogue, model, dim: 8, epochs: 2, seed: 'c', evalShoppers };

describe('centralHybridBaseline', () => {
  it('learns beyond the prior and the history scorer: trained, it beats the untrained table that the same scoring starts from', () => {
    // Items without attributes: the history scorer says nothing, so whatever beats popularity was learned in the passes.
    const bare = buildCatalogue(catalogue.itemIds.map((id) => ({ id, attributes: [] })));
    const options = { ...base, catalogue: bare, model: { ...model, identityItems: 150 } };
    const untrained = centralHybridBaseline(population, { ...options, epochs: 0 });
    const trained = centralHybridBaseline(population, options);
    expect(trained.hr).toBeGreaterThan(untrained.hr + 0.05);
  });

  it('is the federated model: with no passes it scores exactly as the federated run at ε = ∞ with a step of 0', async () => {
    const federated = await runHybridSimulation({
      population,
      catalogue,
      model,
      dim: 8,
      rounds: 1,
      samplingRate: 0.2,
      privacy: { clipNorm: 1, noiseMultiplier: 0, delta: 1e-5, placement: 'distributed', targetEpsilon: Infinity },
      serverLearningRate: 0,
      evalShoppers: 300,
      evalEvery: 1,
      seed: 'c',
    });
    const central = trainCentralHybrid(population, { ...base, epochs: 0 });
    expect(Array.from(central.model.values)).toEqual(Array.from(federated.model.values));
    expect(Array.from(central.setup.features.indices)).toEqual(Array.from(federated.features.indices));
    expect(centralHybridBaseline(population, { ...base, epochs: 0 })).toEqual(federated.evaluation);
  });

  it('same seed, same numbers; another seed, another order', () => {
    const a = trainCentralHybrid(population, base);
    expect(Array.from(trainCentralHybrid(population, base).model.values)).toEqual(Array.from(a.model.values));
    expect(Array.from(trainCentralHybrid(population, { ...base, seed: 'd' }).model.values)).not.toEqual(Array.from(a.model.values));
  });

  it('reports each pass, and refuses a bad number of passes or a catalogue of another population', () => {
    const passes: number[] = [];
    trainCentralHybrid(population, { ...base, onEpoch: (r) => passes.push(r.epoch) });
    expect(passes).toEqual([1, 2]);
    expect(() => trainCentralHybrid(population, { ...base, epochs: 1.5 })).toThrow(/expected epochs to be an integer >= 0, got 1.5/);
    const other = new SyntheticPopulation({ shoppers: 100, items: 40, seed: 'x' });
    expect(() => trainCentralHybrid(population, { ...base, catalogue: syntheticCatalogue(other) })).toThrow(/aligned to the population's 150 items/);
  });
});
