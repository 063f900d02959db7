import { describe, expect, it } from 'vitest';
import { buildCatalogue } from '../catalogue/catalogue.js';
import { attributeIdf, historyScores } from '../catalogue/history-scores.js';
import { combinedScores } from './combined-scores.js';
import { historyContextScore } from './history-context-score.js';
import { rowStepScales } from './row-step-scales.js';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import type { SharedModel } from '../model/shared-parameters.js';
import { buildFeatureMap } from './feature-map.js';
import { buildItemTable } from './item-table.js';
import { hybridScores, pooledShopperVector } from './hybrid-scores.js';
import { shopperSequence } from './shopper-context.js';
import type { ShopperSequence } from './shopper-context.js';
import { trainHybridLocally } from './train-hybrid-locally.js';

const catalogue = buildCatalogue([
  { id: 'a', attributes: ['brand:x', 'cat:lips'] },
  { id: 'b', attributes: ['brand:x'] },
  { id: 'c', attributes: ['brand:y', 'cat:lips'] },
  { id: 'd', attributes: [] },
]);

function randomModel(rows: number, dim: number, seed: string): SharedModel {
  const random = createSeededRandomSource(seed);
  const values = Float32Array.from({ length: rows * (dim + 1) }, () => random.nextFloat() - 0.5);
  return { shape: { numItems: rows, dim }, version: 3, values };
}

/** −log σ(s_p − s_n) for one target: the loss one step of local training descends. */
function targetLoss(model: SharedModel, features: ReturnType<typeof buildFeatureMap>, context: ShopperSequence, pos: number, neg: number): number {
  const table = buildItemTable(features, model);
  const u = pooledShopperVector(table, context);
  const { dim } = table;
  let s = table.biases[pos]! - table.biases[neg]!;
  for (let j = 0; j < dim; j++) s += u[j]! * (table.vectors[pos * dim + j]! - table.vectors[neg * dim + j]!);
  return Math.log1p(Math.exp(-s));
}

describe('the hybrid model', () => {
  it('builds items from attribute rows and identity rows, weighted 1/√(feature count)', () => {
    const features = buildFeatureMap(catalogue, { identityItems: [2] });
    expect(features.numFeatures).toBe(catalogue.attributes.length + 1);
    // Item c: cat:lips (1), brand:y (2) and its identity row, after the 3 attribute rows.
    expect([...features.indices.subarray(features.offsets[2], features.offsets[3])]).toEqual([1, 2, 3]);
    expect(features.weights[features.offsets[2]!]).toBeCloseTo(1 / Math.sqrt(3));
    // Item d has no features: a zero vector.
    expect(features.offsets[4]! - features.offsets[3]!).toBe(0);
    expect(() => buildFeatureMap(catalogue, { identityItems: [2, 2] })).toThrow(/twice/);
    expect(() => buildFeatureMap(catalogue, { identityItems: [9] })).toThrow(/identity items/);
  });

  it('scores an item sharing the history’s attribute rows above one that does not', () => {
    const features = buildFeatureMap(catalogue);
    const dim = 2;
    // brand:x along e1, everything else along e2 with a negative sign: a and b align with a brand:x history.
    const values = new Float32Array(features.numFeatures * (dim + 1));
    const brandX = catalogue.attributes.indexOf('brand:x');
    for (let f = 0; f < features.numFeatures; f++) values[f * dim + (f === brandX ? 0 : 1)] = f === brandX ? 1 : -0.2;
    const model: SharedModel = { shape: { numItems: features.numFeatures, dim }, version: 0, values };
    const scores = hybridScores(buildItemTable(features, model), shopperSequence([{ item: 1, type: 'view', time: 0 }]));
    expect(scores[0]).toBeGreaterThan(scores[2]!);
    expect(scores[3]).toBe(0);
  });

  it('steps along minus the gradient of the BPR loss (finite differences)', () => {
    // History a → b: one target (b) with context a; in a catalogue of a, b and c the only negative is c.
    const sequence = shopperSequence([
      { item: 0, type: 'view', time: 0 },
      { item: 1, type: 'purchase', time: 1 },
    ]);
    const threeItems = buildFeatureMap(buildCatalogue([...catalogue.itemIds.slice(0, 3)].map((id, i) => ({ id, attributes: [['brand:x', 'cat:lips'], ['brand:x'], ['brand:y', 'cat:lips']][i]! }))), { identityItems: [0, 1] });
    const model = randomModel(threeItems.numFeatures, 3, 'fd');
    const learningRate = 1e-3;
    const delta = trainHybridLocally({ model, features: threeItems, sequence, random: createSeededRandomSource('s'), config: { learningRate, l2: 0, epochs: 1, negativesPerTarget: 1 } });
    expect(delta.steps).toBe(1);
    const context = { items: sequence.items.subarray(0, 1), weights: sequence.weights.subarray(0, 1) };
    const { dim } = model.shape;
    const biasStart = model.shape.numItems * dim;
    const h = 1e-3;
    let checked = 0;
    delta.rows.forEach((row, r) => {
      const coordinates = [...Array.from({ length: dim }, (_, j) => [row * dim + j, delta.embeddings[r * dim + j]!] as const), [biasStart + row, delta.biases[r]!] as const];
      for (const [at, moved] of coordinates) {
        const plus = Float32Array.from(model.values);
        const minus = Float32Array.from(model.values);
        plus[at]! += h;
        minus[at]! -= h;
        const gradient = (targetLoss({ ...model, values: plus }, threeItems, context, 1, 2) - targetLoss({ ...model, values: minus }, threeItems, context, 1, 2)) / (2 * h);
        expect(moved / learningRate).toBeCloseTo(-gradient, 2);
        checked++;
      }
    });
    // a's, b's and c's rows: brand:x, cat:lips, brand:y and two identity rows.
    expect(checked).toBe(5 * (dim + 1));
  });

  it('gives the same delta for the same seed and leaves a one-item history untouched', () => {
    const features = buildFeatureMap(catalogue, { identityItems: [0] });
    const model = randomModel(features.numFeatures, 4, 'same');
    const sequence = shopperSequence([
      { item: 0, type: 'view', time: 0 },
      { item: 2, type: 'cart', time: 1 },
      { item: 1, type: 'view', time: 2 },
    ]);
    const run = () => trainHybridLocally({ model, features, sequence, random: createSeededRandomSource('seed') });
    expect(run().embeddings).toEqual(run().embeddings);
    expect(trainHybridLocally({ model, features, sequence: shopperSequence([{ item: 0, type: 'view', time: 0 }]), random: createSeededRandomSource('x') }).rows).toHaveLength(0);
    expect(() => trainHybridLocally({ model: randomModel(2, 4, 'm'), features, sequence, random: createSeededRandomSource('x') })).toThrow(/one row per feature/);
  });
});

describe('what the hybrid model is combined with', () => {
  it('scales a row’s server step by 1 / its touch rate, floored', () => {
    const features = buildFeatureMap(catalogue, { identityItems: [0] });
    // 100 shoppers; a has 50, b 20, c 1 and d none.
    const scales = rowStepScales(features, [50, 20, 1, 0], 100, 0.05);
    const brandX = catalogue.attributes.indexOf('brand:x');
    expect(scales[brandX]).toBeCloseTo(100 / 70);
    expect(scales[catalogue.attributes.indexOf('brand:y')]).toBeCloseTo(1 / 0.05);
    expect(scales[features.numFeatures - 1]).toBeCloseTo(2);
    expect(() => rowStepScales(features, [1, 2], 100, 0.05)).toThrow(/item counts/);
  });

  it('scores targets against the history before them, and the device adds model, prior and history', () => {
    const events = [
      { item: 1, type: 'view' as const, time: 0 },
      { item: 0, type: 'view' as const, time: 1 },
      { item: 2, type: 'view' as const, time: 2 },
    ];
    const idf = attributeIdf(catalogue);
    const score = historyContextScore(events, catalogue, idf, 2);
    // Before the second item only b (brand:x) was seen: a shares brand:x, c does not.
    expect(score(1, 0)).toBeGreaterThan(score(1, 2));
    expect(score(1, 0)).toBeCloseTo(2 * historyScores(events.slice(0, 1), catalogue, idf)[0]!, 6);
    expect(historyContextScore(events, catalogue, idf, 0)(1, 0)).toBe(0);

    const features = buildFeatureMap(catalogue);
    const table = buildItemTable(features, randomModel(features.numFeatures, 3, 'combined'));
    const prior = Float32Array.from([0.5, 0, 1, 2]);
    const combined = combinedScores(table, events, { catalogue, idf, prior, historyWeight: 3 });
    const model = hybridScores(table, shopperSequence(events));
    const history = historyScores(events, catalogue, idf);
    for (let i = 0; i < 4; i++) expect(combined[i]).toBeCloseTo(model[i]! + prior[i]! + 3 * history[i]!, 5);
  });
});
