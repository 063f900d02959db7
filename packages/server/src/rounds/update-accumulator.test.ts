import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UpdateAccumulator } from './update-accumulator.js';

const vectorArb = fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 5, maxLength: 5 }).map((xs) => new Float32Array(xs));

describe('UpdateAccumulator', () => {
  it('computes the uniform mean', () => {
    const acc = new UpdateAccumulator(2);
    acc.add(new Float32Array([1, 2]));
    acc.add(new Float32Array([3, -4]));
    expect(Array.from(acc.takeMean())).toEqual([2, -1]);
    expect(acc.count).toBe(2);
  });

  it('computes the weighted mean Σwᵢxᵢ / Σwᵢ', () => {
    const acc = new UpdateAccumulator(1);
    acc.add(new Float32Array([1]), 1);
    acc.add(new Float32Array([4]), 3);
    expect(acc.takeMean()[0]).toBe(3.25);
    expect(acc.totalWeight).toBe(4);
  });

  it('is independent of arrival order (to float64 rounding)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(vectorArb, fc.integer({ min: 1, max: 9 })), { minLength: 1, maxLength: 12 }), (updates) => {
        const forward = new UpdateAccumulator(5);
        const backward = new UpdateAccumulator(5);
        for (const [v, w] of updates) forward.add(v, w);
        for (const [v, w] of [...updates].reverse()) backward.add(v, w);
        const a = forward.takeMean();
        const b = backward.takeMean();
        for (let i = 0; i < 5; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(a[i]!)));
      }),
    );
  });

  it('reset clears everything for the next round', () => {
    const acc = new UpdateAccumulator(2);
    acc.add(new Float32Array([5, 5]), 2);
    acc.takeMean();
    acc.reset();
    acc.add(new Float32Array([1, 1]));
    expect(Array.from(acc.takeMean())).toEqual([1, 1]);
  });

  it('refuses wrong lengths, bad weights and an empty mean', () => {
    const acc = new UpdateAccumulator(2);
    expect(() => acc.add(new Float32Array(3))).toThrow(RangeError);
    expect(() => acc.add(new Float32Array(2), 0)).toThrow(RangeError);
    expect(() => acc.add(new Float32Array(2), Number.NaN)).toThrow(RangeError);
    expect(() => acc.takeMean()).toThrow(RangeError);
  });
});
