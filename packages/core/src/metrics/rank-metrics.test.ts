import { describe, expect, it } from 'vitest';
import { hitRate, ndcg } from './rank-metrics.js';

describe('hitRate and ndcg', () => {
  it('rank 0 is a perfect hit', () => {
    expect(hitRate(0, 10)).toBe(1);
    expect(ndcg(0, 10)).toBe(1);
  });

  it('rank 3 is discounted by log2(5)', () => {
    expect(hitRate(3, 10)).toBe(1);
    expect(ndcg(3, 10)).toBeCloseTo(1 / Math.log2(5), 15);
  });

  it('rank k − 1 is the last hit and rank k a miss', () => {
    expect(hitRate(9, 10)).toBe(1);
    expect(ndcg(9, 10)).toBeCloseTo(1 / Math.log2(11), 15);
    expect(hitRate(10, 10)).toBe(0);
    expect(ndcg(10, 10)).toBe(0);
  });

  it('rejects nonsense ranks and list lengths', () => {
    expect(() => hitRate(-1, 10)).toThrow(RangeError);
    expect(() => ndcg(0.5, 10)).toThrow(RangeError);
    expect(() => hitRate(0, 0)).toThrow(RangeError);
    expect(() => ndcg(0, Number.NaN)).toThrow(RangeError);
  });
});
