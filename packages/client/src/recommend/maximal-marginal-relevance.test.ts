import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ItemFeatures } from '@fedrec/core';
import { createSeededRandomSource, intraListDiversity, topK } from '@fedrec/core';
import { itemSimilarity } from './item-similarity.js';
import { rerankByMmr } from './maximal-marginal-relevance.js';
import { rankRecommendations } from './rank-recommendations.js';

/** A random catalogue: scores and either embeddings or categories. */
const instanceArb = fc
  .record({
    numItems: fc.integer({ min: 1, max: 40 }),
    dim: fc.integer({ min: 1, max: 6 }),
    numCategories: fc.integer({ min: 1, max: 6 }),
    useCategories: fc.boolean(),
    seed: fc.string(),
  })
  .map(({ numItems, dim, numCategories, useCategories, seed }) => {
    const random = createSeededRandomSource(seed);
    const scores = Float32Array.from({ length: numItems }, () => random.nextFloat() * 4 - 2);
    const features: ItemFeatures = useCategories
      ? { kind: 'categories', categories: Int32Array.from({ length: numItems }, () => Math.floor(random.nextFloat() * numCategories)) }
      : { kind: 'embeddings', dim, embeddings: Float32Array.from({ length: numItems * dim }, () => random.nextFloat() * 2 - 1) };
    return { numItems, scores, features };
  });

describe('rerankByMmr', () => {
  it('diversity 0 is pure relevance order: exactly topK', () => {
    fc.assert(
      fc.property(instanceArb, fc.integer({ min: 0, max: 45 }), ({ numItems, scores, features }, k) => {
        const list = rankRecommendations({ scores, k, diversity: 0, features });
        expect(list).toEqual(Array.from(topK(scores, Math.min(k, numItems))));
      }),
    );
  });

  it('returns min(k, shortlist) distinct shortlisted items, the most relevant first, at any diversity', () => {
    fc.assert(
      fc.property(instanceArb, fc.integer({ min: 0, max: 45 }), fc.double({ min: 0, max: 1, noNaN: true }), ({ scores, features }, k, diversity) => {
        const shortlist = Array.from(topK(scores, 20));
        const list = rerankByMmr(shortlist, scores, k, diversity, itemSimilarity(features));
        expect(list.length).toBe(Math.min(k, shortlist.length));
        expect(new Set(list).size).toBe(list.length);
        expect(list.every((item) => shortlist.includes(item))).toBe(true);
        if (list.length > 0) expect(list[0]).toBe(shortlist[0]);
      }),
    );
  });

  it('at diversity 1, with categories, covers as many categories as the shortlist offers', () => {
    fc.assert(
      fc.property(instanceArb, fc.integer({ min: 1, max: 45 }), ({ scores, features }, k) => {
        if (features.kind !== 'categories') return;
        const shortlist = Array.from(topK(scores, 30));
        const list = rerankByMmr(shortlist, scores, k, 1, itemSimilarity(features));
        const offered = new Set(shortlist.map((i) => features.categories[i])).size;
        expect(new Set(list.map((i) => features.categories[i])).size).toBe(Math.min(k, offered));
      }),
    );
  });

  it('higher diversity lowers intra-list similarity (fixed seed, 200 catalogues, embeddings and categories)', () => {
    const levels = [0, 0.25, 0.5, 0.75, 1];
    for (const kind of ['embeddings', 'categories'] as const) {
      const random = createSeededRandomSource(`mmr-monotone/${kind}`);
      const meanDistance = levels.map(() => 0);
      const trials = 200;
      for (let t = 0; t < trials; t++) {
        const numItems = 60;
        const dim = 8;
        // Relevance correlated with one direction, so the most relevant items are alike: the case MMR is for.
        const embeddings = Float32Array.from({ length: numItems * dim }, () => random.nextFloat() * 2 - 1);
        const categories = Int32Array.from({ length: numItems }, () => Math.floor(random.nextFloat() * 6));
        const scores = Float32Array.from({ length: numItems }, (_, i) => embeddings[i * dim]! + (kind === 'categories' && categories[i] === 0 ? 1 : 0) + 0.3 * random.nextFloat());
        const features: ItemFeatures = kind === 'categories' ? { kind, categories } : { kind, embeddings, dim };
        levels.forEach((diversity, l) => {
          const list = rankRecommendations({ scores, k: 10, diversity, features });
          meanDistance[l]! += intraListDiversity(list, features)! / trials;
        });
      }
      // Intra-list diversity (mean pairwise distance) never falls as diversity rises, i.e. similarity
      // never rises; with 0/1 category similarity it saturates once the penalty outweighs any relevance gap.
      for (let l = 1; l < levels.length; l++) expect(meanDistance[l]!).toBeGreaterThanOrEqual(meanDistance[l - 1]! - 1e-12);
      expect(meanDistance[levels.length - 1]!).toBeGreaterThan(meanDistance[0]! + 0.05);
      if (kind === 'embeddings') for (let l = 1; l < levels.length; l++) expect(meanDistance[l]!).toBeGreaterThan(meanDistance[l - 1]!);
    }
  });

  it('rejects a diversity outside [0, 1] and a bad k', () => {
    const similarity = itemSimilarity({ kind: 'categories', categories: Int32Array.of(0, 1) });
    expect(() => rerankByMmr([0, 1], [1, 0], 1, 1.5, similarity)).toThrow(/diversity in \[0, 1\], got 1.5/);
    expect(() => rerankByMmr([0, 1], [1, 0], 1, Number.NaN, similarity)).toThrow(RangeError);
    expect(() => rerankByMmr([0, 1], [1, 0], -1, 0.5, similarity)).toThrow(/k to be a non-negative integer/);
  });
});

describe('itemSimilarity', () => {
  it('cosine of embeddings, 0 for a zero vector; 1/0 for categories', () => {
    const embeddings = Float32Array.of(1, 0, 2, 0, 0, 0, -3, 0);
    const cosine = itemSimilarity({ kind: 'embeddings', embeddings, dim: 2 });
    expect(cosine(0, 1)).toBeCloseTo(1);
    expect(cosine(0, 3)).toBeCloseTo(-1);
    expect(cosine(0, 2)).toBe(0);
    const same = itemSimilarity({ kind: 'categories', categories: Int32Array.of(4, 4, 5) });
    expect([same(0, 1), same(0, 2)]).toEqual([1, 0]);
  });
});
