import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createSharedModel, trainLocally, buildPrivateUpdate, positiveItems, createSeededRandomSource, deriveSeed } from '@fedrec/core';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { leaveOneOut } from '../population/leave-one-out.js';
import { computeChunk } from './client-update-chunk.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

describe('computeChunk', () => {
  it('without local noise, adds exactly what the dense device pipeline (trainLocally + buildPrivateUpdate) would', () => {
    const population = new SyntheticPopulation({ shoppers: 50, items: 90, seed: 'chunk' });
    const model = createSharedModel({ numItems: 90, dim: 6 }, { seed: 'chunk' });
    const settings = { seed: 'chunk' };
    const round = { round: 3, clipNorm: 0.05, localNoiseMultiplier: 0 };
    const shoppers = [0, 7, 13, 21];
    const result = computeChunk(population, model, settings, round, shoppers);

    const dense = new Float64Array(model.values.length);
    let clipped = 0;
    for (const index of shoppers) {
      const split = leaveOneOut(population.shopper(index).events);
      const { delta } = trainLocally({ model, positives: positiveItems(split ? split.train : []), random: createSeededRandomSource(deriveSeed('chunk', 'train', 3, index)) });
      const built = buildPrivateUpdate(delta, { clipNorm: 0.05, noiseMultiplier: 0 });
      built.update.values.forEach((v, i) => (dense[i]! += v));
      if (built.clipped) clipped++;
    }
    expect(result.contributors).toBe(4);
    expect(result.clipped).toBe(clipped);
    expect(clipped).toBeGreaterThan(0);
    for (let i = 0; i < dense.length; i++) expect(result.sum[i]).toBeCloseTo(dense[i]!, 7);
  });
});
