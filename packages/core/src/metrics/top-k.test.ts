import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemMask } from './item-mask.js';
import { outranks, topK } from './top-k.js';

describe('topK', () => {
  it('picks the best items, best first, ties by lower index', () => {
    const scores = new Float32Array([0.1, 0.9, 0.5, 0.9, 0.7]);
    expect(Array.from(topK(scores, 3))).toEqual([1, 3, 4]);
    expect(Array.from(topK(scores, 3, itemMask(5, [1])))).toEqual([3, 4, 2]);
  });

  it('ranks NaN below everything', () => {
    const scores = new Float32Array([Number.NaN, Number.NEGATIVE_INFINITY, 0]);
    expect(Array.from(topK(scores, 3))).toEqual([2, 1, 0]);
  });

  it('returns fewer than k when fewer items are eligible, and nothing for k = 0', () => {
    expect(Array.from(topK(new Float32Array([1, 2, 3]), 5, itemMask(3, [1])))).toEqual([2, 0]);
    expect(topK(new Float32Array([1, 2, 3]), 0).length).toBe(0);
    expect(() => topK(new Float32Array(3), -1)).toThrow(RangeError);
  });

  it('matches a full sort on random inputs', () => {
    // Few distinct values so ties are common, plus NaN and infinities.
    const score = fc.oneof(
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
      fc.double({ noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(score, { maxLength: 200 }),
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        (values, k, excluded) => {
          const scores = new Float32Array(values);
          const mask = new Uint8Array(scores.length);
          excluded.forEach((flag, i) => {
            if (flag && i < mask.length) mask[i] = 1;
          });
          const expected = Array.from(scores.keys())
            .filter((i) => mask[i] === 0)
            .sort((a, b) => (outranks(scores, a, b) ? -1 : 1))
            .slice(0, k);
          expect(Array.from(topK(scores, k, mask))).toEqual(expected);
        },
      ),
    );
  });
});
