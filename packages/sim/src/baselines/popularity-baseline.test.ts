import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, topK } from '@fedrec/core';
import type { SharedModel } from '@fedrec/core';
import type { Population } from '../population/population.js';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { evaluateModel } from '../runner/evaluate-model.js';
import { itemPopularity, popularityBaseline } from './popularity-baseline.js';
import { evaluationSample } from './evaluation-sample.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

/** Shoppers who viewed `histories[s]` in that order (the last item is held out). */
function handMade(numItems: number, histories: number[][]): Population {
  return {
    name: 'hand-made',
    numShoppers: histories.length,
    numItems,
    shopper: (index) => ({ index, events: histories[index]!.map((item, time) => ({ item, type: 'view' as const, time })) }),
  };
}

// Training popularity: item 1 has 8 shoppers, item 0 six, item 2 two, items 3–5 one.
// Items 6–11 are only ever held out, so they count for nothing.
const shop = handMade(150, [
  ...Array.from({ length: 6 }, (_, s) => [0, 1, 6 + s]),
  [1, 2, 0],
  [2, 1, 0],
  [3, 4, 5, 2],
]);

describe('itemPopularity', () => {
  it('counts shoppers per item on training splits only', () => {
    const counts = itemPopularity(shop);
    expect(Array.from(counts.subarray(0, 12))).toEqual([6, 8, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(topK(counts, 6))).toEqual([1, 0, 2, 3, 4, 5]);
  });

  it('counts a shopper once per item, whatever they did with it, and skips events weighted 0', () => {
    const funnel: Population = {
      name: 'funnel',
      numShoppers: 1,
      numItems: 3,
      shopper: (index) => ({
        index,
        events: [
          { item: 0, type: 'view', time: 1 },
          { item: 0, type: 'cart', time: 2 },
          { item: 0, type: 'purchase', time: 3 },
          { item: 1, type: 'view', time: 4 },
          { item: 2, type: 'view', time: 5 },
        ],
      }),
    };
    expect(Array.from(itemPopularity(funnel))).toEqual([1, 1, 0]);
    expect(Array.from(itemPopularity(funnel, { view: 0, cart: 1, purchase: 1 }))).toEqual([1, 0, 0]);
  });
});

describe('popularityBaseline', () => {
  it('ranks the most popular unseen item first', () => {
    // Shoppers 6 and 7 hold out item 0, the most popular item they have not trained on.
    const hit = popularityBaseline(shop, { evalShoppers: [6, 7], seed: 1 });
    expect(hit).toMatchObject({ users: 2, hrFull: 1, ndcgFull: 1, hr: 1, ndcg: 1 });
    // Shoppers 0–5 hold out items nobody trained on: bottom of the list.
    const miss = popularityBaseline(shop, { evalShoppers: [0, 1, 2, 3, 4, 5], seed: 1 });
    expect(miss.hrFull).toBe(0);
  });

  it('is scored exactly as evaluateModel scores a model whose scores are the popularity counts', () => {
    const population = new SyntheticPopulation({ shoppers: 400, items: 200, seed: 'popularity' });
    const seed = 'run-3';
    const evalShoppers = evaluationSample(population.numShoppers, 150, seed);
    const counts = itemPopularity(population);
    // Zero embeddings, the counts as biases: every shopper's scores are the counts.
    const values = new Float32Array(population.numItems * 2);
    values.set(counts, population.numItems);
    const model: SharedModel = { shape: { numItems: population.numItems, dim: 1 }, version: 0, values };
    const viaModel = evaluateModel(model, { population, shoppers: evalShoppers, seed: deriveSeed(seed, 'eval') });
    const baseline = popularityBaseline(population, { evalShoppers, seed });
    expect(baseline).toEqual(viaModel);
    expect(baseline.intraListDiversity).not.toBeNull();
  });
});
