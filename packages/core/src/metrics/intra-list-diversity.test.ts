import { describe, expect, it } from 'vitest';
import { intraListDiversity, type ItemFeatures } from './intra-list-diversity.js';

describe('intraListDiversity', () => {
  const categories: ItemFeatures = { kind: 'categories', categories: new Int32Array([0, 0, 1, 2]) };
  // Items: 0 = x axis, 1 = x axis (longer), 2 = y axis, 3 = −x axis, 4 = zero vector.
  const embeddings: ItemFeatures = { kind: 'embeddings', dim: 2, embeddings: new Float32Array([1, 0, 3, 0, 0, 2, -1, 0, 0, 0]) };

  it('is the fraction of pairs in different categories', () => {
    expect(intraListDiversity([0, 1], categories)).toBe(0);
    expect(intraListDiversity([0, 2, 3], categories)).toBe(1);
    // Pairs: (0,1) same, (0,2), (1,2) different → 2 of 3.
    expect(intraListDiversity([0, 1, 2], categories)).toBeCloseTo(2 / 3, 15);
  });

  it('is the mean pairwise 1 − cosine for embeddings', () => {
    expect(intraListDiversity([0, 1], embeddings)).toBeCloseTo(0, 12);
    expect(intraListDiversity([0, 2], embeddings)).toBeCloseTo(1, 12);
    expect(intraListDiversity([0, 3], embeddings)).toBeCloseTo(2, 12);
    // (0,2) → 1, (0,3) → 2, (2,3) → 1.
    expect(intraListDiversity([0, 2, 3], embeddings)).toBeCloseTo(4 / 3, 12);
  });

  it('treats a zero embedding as orthogonal to everything', () => {
    expect(intraListDiversity([0, 4], embeddings)).toBe(1);
  });

  it('is null without a pair', () => {
    expect(intraListDiversity([], categories)).toBeNull();
    expect(intraListDiversity([2], embeddings)).toBeNull();
  });

  it('rejects items without features and malformed embeddings', () => {
    expect(() => intraListDiversity([0, 4], categories)).toThrow(RangeError);
    expect(() => intraListDiversity([0, 1], { kind: 'embeddings', dim: 3, embeddings: new Float32Array(10) })).toThrow(RangeError);
  });
});
