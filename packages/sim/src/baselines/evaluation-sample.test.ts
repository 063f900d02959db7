import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '@fedrec/core';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { runFederatedSimulation } from '../runner/federated-simulation.js';
import { evaluateModel } from '../runner/evaluate-model.js';
import { evaluationSample } from './evaluation-sample.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

describe('evaluationSample', () => {
  it('is the sample runFederatedSimulation evaluates on', async () => {
    const population = new SyntheticPopulation({ shoppers: 300, items: 150, seed: 'sample' });
    const seed = 11;
    const run = await runFederatedSimulation({
      population,
      dim: 4,
      rounds: 1,
      samplingRate: 0.05,
      privacy: { clipNorm: 1, noiseMultiplier: 0, delta: 1e-5, placement: 'distributed' },
      serverLearningRate: 1,
      evalShoppers: 40,
      evalEvery: 1,
      seed,
    });
    const again = evaluateModel(run.model, { population, shoppers: evaluationSample(population.numShoppers, 40, seed), seed: deriveSeed(seed, 'eval') });
    expect(again).toEqual(run.evaluation);
  });

  it('is sorted, distinct and everyone when asked for at least the population', () => {
    const sample = evaluationSample(1000, 100, 'x');
    expect(sample).toHaveLength(100);
    expect(new Set(sample).size).toBe(100);
    expect(sample).toEqual([...sample].sort((a, b) => a - b));
    expect(evaluationSample(5, 9, 'x')).toEqual([0, 1, 2, 3, 4]);
    expect(evaluationSample(1000, 100, 'y')).not.toEqual(sample);
  });
});
