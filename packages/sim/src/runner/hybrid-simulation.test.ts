import { describe, expect, it } from 'vitest';
import { PrivacyLedger } from '@fedrec/core/privacy';
import { buildCatalogue } from '@fedrec/core/catalogue';
import { syntheticCatalogue } from '../catalogue/synthetic-catalogue.js';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { HYBRID_DEFAULTS } from '../defaults/simulate-defaults.js';
import { runHybridSimulation } from './hybrid-simulation.js';
import type { HybridSimulationConfig } from './hybrid-simulation.js';

const population = new SyntheticPopulation({ shoppers: 2_000, items: 150, seed: 'hybrid-run' });
const base: HybridSimulationConfig = {
  population,
  catalogue: syntheticCatalogue(population),
  model: { ...HYBRID_DEFAULTS.model, identityItems: 20 },
  dim: 8,
  rounds: 4,
  samplingRate: 0.2,
  privacy: { clipNorm: 1, noiseMultiplier: 0, delta: 1e-5, placement: 'distributed', targetEpsilon: 2 },
  serverLearningRate: 1,
  evalShoppers: 300,
  evalEvery: 4,
  seed: 'h',
};

describe('runHybridSimulation', () => {
  it('accounts the popularity release and the rounds in one ledger, whose ε it reports and which meets the target', async () => {
    const run = await runHybridSimulation(base);
    const entries = run.privacyLedger!.entries;
    expect(entries[0]).toEqual({ samplingRate: 1, noiseMultiplier: run.popularityNoiseMultiplier, steps: 1 });
    for (const e of entries.slice(1)) expect(e).toMatchObject({ samplingRate: 0.2, noiseMultiplier: run.noiseMultiplier });
    expect(entries.slice(1).reduce((steps, e) => steps + (e.steps ?? 1), 0)).toBe(4);
    const ledger = new PrivacyLedger();
    for (const e of entries) ledger.record({ ...e, noiseMultiplier: Number(e.noiseMultiplier) });
    expect(run.epsilon).toBeCloseTo(ledger.epsilon(1e-5).epsilon, 12);
    expect(run.epsilon).toBeLessThanOrEqual(2);
    expect(run.epsilon).toBeGreaterThan(1.99);
    expect(run.popularityNoiseStd).toBeCloseTo(run.popularityNoiseMultiplier * Math.sqrt(HYBRID_DEFAULTS.model.popularityItemsPerShopper), 12);
    expect(run.features.numFeatures).toBe(base.catalogue.attributes.length + 20);
    expect(run.model.shape).toEqual({ numItems: run.features.numFeatures, dim: 8 });
  });

  it('same seed, same numbers — in process and on worker threads; another seed, other noise', async () => {
    const a = await runHybridSimulation(base);
    const b = await runHybridSimulation({ ...base, threads: 2, backend: 'cpu' });
    expect(b.threads).toBe(2);
    expect(Array.from(b.model.values)).toEqual(Array.from(a.model.values));
    expect(b.evaluation).toEqual(a.evaluation);
    const c = await runHybridSimulation({ ...base, seed: 'other' });
    expect(Array.from(c.model.values)).not.toEqual(Array.from(a.model.values));
  });

  it('learns across shoppers: with no attributes to lean on, the identity rows beat the popularity prior alone', async () => {
    // Items without attributes: the history scorer says nothing, so whatever beats popularity was learned in the rounds.
    const bare = buildCatalogue(base.catalogue.itemIds.map((id) => ({ id, attributes: [] })));
    const noiseless = { ...base, catalogue: bare, model: { ...base.model, identityItems: 150 }, privacy: { ...base.privacy, targetEpsilon: Infinity }, rounds: 12, evalEvery: 12 };
    const untrained = await runHybridSimulation({ ...noiseless, rounds: 1, serverLearningRate: 1e-9 });
    const trained = await runHybridSimulation(noiseless);
    expect(trained.epsilon).toBe(Infinity);
    expect(trained.privacyLedger!.entries).toEqual([]);
    expect(trained.evaluation.hr).toBeGreaterThan(untrained.evaluation.hr + 0.05);
  });

  it('refuses a catalogue of another population', async () => {
    const other = new SyntheticPopulation({ shoppers: 100, items: 40, seed: 'x' });
    await expect(runHybridSimulation({ ...base, catalogue: syntheticCatalogue(other) })).rejects.toThrow(/aligned to the population's 150 items/);
  });
});
