import { buildCatalogue } from '@fedrec/core/catalogue';
import { describe, expect, it } from 'vitest';
import { syntheticCatalogue } from '../catalogue/synthetic-catalogue.js';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { evaluationSample } from './evaluation-sample.js';
import { onDeviceBaseline } from './on-device-baseline.js';
import { itemPopularity, popularityBaseline } from './popularity-baseline.js';

const population = new SyntheticPopulation({ shoppers: 2_000, items: 300, seed: 'on-device' });
const options = { evalShoppers: evaluationSample(population.numShoppers, 400, 5), seed: 5 };

describe('onDeviceBaseline', () => {
  it('is the popularity baseline exactly when the catalogue says nothing (same split, negatives and ties)', () => {
    const bare = buildCatalogue(Array.from({ length: population.numItems }, (_, i) => ({ id: String(i), attributes: [] })));
    const popularity = itemPopularity(population);
    expect(onDeviceBaseline(population, { ...options, catalogue: bare, popularity })).toEqual(popularityBaseline(population, options));
  });

  it('beats popularity on both protocols where shoppers choose by the catalogue’s attributes', () => {
    const report = onDeviceBaseline(population, { ...options, catalogue: syntheticCatalogue(population), popularity: itemPopularity(population) });
    const popular = popularityBaseline(population, options);
    expect(report.hr).toBeGreaterThan(popular.hr * 1.2);
    expect(report.hrFull).toBeGreaterThan(popular.hrFull * 1.2);
  });

  it('refuses a catalogue not aligned to the population', () => {
    expect(() => onDeviceBaseline(population, { ...options, catalogue: buildCatalogue([{ id: '0', attributes: [] }]) })).toThrow(/aligned to the population's 300 items/);
  });
});
