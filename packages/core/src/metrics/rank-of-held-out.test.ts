import { describe, expect, it } from 'vitest';
import { itemMask } from './item-mask.js';
import { rankAmongCandidates, rankInCatalogue, rankOfScore } from './rank-of-held-out.js';

describe('rankOfScore', () => {
  it('counts strictly higher scores', () => {
    expect(rankOfScore(0.5, [0.1, 0.9, 0.2, 0.7])).toBe(2);
    expect(rankOfScore(1, [0.1, 0.2])).toBe(0);
  });

  it('counts ties against the held-out item, so an all-equal model ranks last', () => {
    expect(rankOfScore(0.5, [0.5, 0.1, 0.5])).toBe(2);
    expect(rankOfScore(0, new Float32Array(99))).toBe(99);
  });

  it('counts NaN on either side against the held-out item', () => {
    expect(rankOfScore(0.5, [Number.NaN, 0.1])).toBe(1);
    expect(rankOfScore(Number.NaN, [0.1, 0.2, 0.3])).toBe(3);
  });
});

describe('rankAmongCandidates', () => {
  const scores = new Float32Array([0.9, 0.1, 0.5, 0.5, 0.3]);

  it('ranks against the candidates only', () => {
    expect(rankAmongCandidates(scores, 2, [1, 4])).toBe(0);
    expect(rankAmongCandidates(scores, 2, [0, 1, 3, 4])).toBe(2);
  });

  it('rejects a candidate list containing the held-out item, or out-of-range items', () => {
    expect(() => rankAmongCandidates(scores, 2, [1, 2])).toThrow(RangeError);
    expect(() => rankAmongCandidates(scores, 2, [5])).toThrow(RangeError);
    expect(() => rankAmongCandidates(scores, 7, [1])).toThrow(RangeError);
  });
});

describe('rankInCatalogue', () => {
  const scores = new Float32Array([0.9, 0.1, 0.5, 0.5, 0.3]);

  it('ranks against every other item', () => {
    expect(rankInCatalogue(scores, 2)).toBe(2);
    expect(rankInCatalogue(scores, 0)).toBe(0);
    expect(rankInCatalogue(scores, 1)).toBe(4);
  });

  it('skips excluded (training) items, even when the held-out item is one of them', () => {
    expect(rankInCatalogue(scores, 2, itemMask(5, [0, 3]))).toBe(0);
    expect(rankInCatalogue(scores, 4, itemMask(5, [0, 4]))).toBe(2);
  });

  it('rejects a mask of the wrong size', () => {
    expect(() => rankInCatalogue(scores, 2, new Uint8Array(4))).toThrow(RangeError);
  });
});
