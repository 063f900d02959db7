import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createSharedModel } from '@fedrec/core';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { centralBprBaseline, trainCentralBpr } from './central-bpr.js';
import { popularityBaseline } from './popularity-baseline.js';
import { evaluationSample } from './evaluation-sample.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

// Uniform popularity (Zipf exponent 0): what an item is worth depends only on
// whose taste it fits, so popularity has nothing to go on and a model must
// learn the planted categories and styles.
const population = new SyntheticPopulation({ shoppers: 600, items: 200, zipfExponent: 0, seed: 'central' });
const seed = 5;
const evalShoppers = evaluationSample(population.numShoppers, 300, seed);

describe('centralBprBaseline', () => {
  it('learns the planted structure that popularity cannot see', () => {
    const popularity = popularityBaseline(population, { evalShoppers, seed });
    const central = centralBprBaseline(population, { dim: 16, epochs: 3, evalShoppers, seed });
    expect(central.users).toBe(popularity.users);
    // Popularity is no better than chance (1 in 10 among 100 candidates); BPR is far above it (≈ 0.58 here).
    expect(popularity.hr).toBeLessThan(0.2);
    expect(central.hr).toBeGreaterThan(popularity.hr + 0.3);
    expect(central.ndcg).toBeGreaterThan(popularity.ndcg + 0.15);
    expect(central.hrFull).toBeGreaterThan(popularity.hrFull + 0.2);
  });
});

describe('trainCentralBpr', () => {
  it('starts from the federated run’s initial model', () => {
    const model = trainCentralBpr(population, { dim: 8, epochs: 0, seed });
    expect(model.values).toEqual(createSharedModel({ numItems: population.numItems, dim: 8 }, { seed }).values);
  });

  it('gives the same model for the same seed, another for another seed', () => {
    const small = new SyntheticPopulation({ shoppers: 80, items: 40, seed: 'determinism' });
    const options = { dim: 8, epochs: 2, seed: 'a' };
    const a = trainCentralBpr(small, options);
    const b = trainCentralBpr(small, options);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    expect(a.version).toBe(2);
    const c = trainCentralBpr(small, { ...options, seed: 'b' });
    expect(Array.from(c.values)).not.toEqual(Array.from(a.values));
    const stateless = trainCentralBpr(small, { ...options, keepUserVectors: false });
    expect(Array.from(stateless.values)).toEqual(Array.from(trainCentralBpr(small, { ...options, keepUserVectors: false }).values));
    expect(Array.from(stateless.values)).not.toEqual(Array.from(a.values));
  });

  it('reports every pass', () => {
    const small = new SyntheticPopulation({ shoppers: 50, items: 30, seed: 'passes' });
    const reports: number[] = [];
    trainCentralBpr(small, { dim: 4, epochs: 3, seed, onEpoch: (r) => reports.push(r.epoch) });
    expect(reports).toEqual([1, 2, 3]);
    expect(() => trainCentralBpr(small, { dim: 4, epochs: -1, seed })).toThrow(RangeError);
  });
});
