import { describe, expect, it } from 'vitest';
import { biasesView, embeddingsView } from '../model/shared-parameters.js';
import type { SharedModel } from '../model/shared-parameters.js';
import { buildCatalogue } from './catalogue.js';
import { growModel } from './grow-model.js';

// Three rows of a 2-dimensional model: two Acme products and one Zen product.
const model: SharedModel = {
  shape: { numItems: 3, dim: 2 },
  version: 7,
  values: Float32Array.from([1, 0, 3, 0, 0, 6, /* biases */ 0.5, 1.5, -3]),
};
const rows = [
  { id: 'acme-lips', attributes: ['brand:acme', 'category:lips'] },
  { id: 'acme-eyes', attributes: ['brand:acme', 'category:eyes'] },
  { id: 'zen-eyes', attributes: ['brand:zen', 'category:eyes'] },
];

describe('growModel', () => {
  it('keeps every existing row, and starts a new product at the mean of the rows sharing its attributes, weighted by how many it shares', () => {
    const catalogue = buildCatalogue([
      ...rows,
      { id: 'acme-gloss', attributes: ['brand:acme', 'category:lips'] }, // shares 2 with acme-lips, 1 with acme-eyes
      { id: 'gift-card', attributes: [] },
      { id: 'new-brand', attributes: ['brand:new'] },
    ]);
    const grown = growModel(model, catalogue);
    expect(grown.shape).toEqual({ numItems: 6, dim: 2 });
    expect(grown.version).toBe(7);
    const embeddings = embeddingsView(grown.shape, grown.values);
    const biases = biasesView(grown.shape, grown.values);
    expect(Array.from(embeddings.subarray(0, 6))).toEqual([1, 0, 3, 0, 0, 6]);
    expect(Array.from(biases.subarray(0, 3))).toEqual([0.5, 1.5, -3]);
    // acme-gloss: (2·[1, 0, 0.5] + 1·[3, 0, 1.5]) / 3
    expect(embeddings[6]).toBeCloseTo(5 / 3, 6);
    expect(embeddings[7]).toBeCloseTo(0, 6);
    expect(biases[3]).toBeCloseTo(2.5 / 3, 6);
    // gift-card and new-brand share nothing: the mean of all rows, [4/3, 2] and bias −1/3.
    for (const item of [4, 5]) {
      expect(embeddings[item * 2]).toBeCloseTo(4 / 3, 6);
      expect(embeddings[item * 2 + 1]).toBeCloseTo(2, 6);
      expect(biases[item]).toBeCloseTo(-1 / 3, 6);
    }
    // The input is untouched.
    expect(model.values.length).toBe(9);
  });

  it('copies a model whose catalogue adds nothing, and refuses a catalogue with fewer products than rows', () => {
    const same = growModel(model, buildCatalogue(rows));
    expect(Array.from(same.values)).toEqual(Array.from(model.values));
    expect(same.values).not.toBe(model.values);
    expect(() => growModel(model, buildCatalogue(rows.slice(0, 2)))).toThrow(/at least the model's 3 rows, got 2/);
  });
});
