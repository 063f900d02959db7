import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { clipToNorm, l2Norm } from './clip.js';

const vectors = fc.float32Array({ minLength: 1, maxLength: 300, noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3 });
const bounds = fc.double({ min: 1e-3, max: 1e3, noNaN: true });

describe('clipToNorm', () => {
  it('never exceeds the bound, and hits it exactly (to float32 rounding) when it clips', () => {
    fc.assert(
      fc.property(vectors, bounds, (v, c) => {
        const x = Float32Array.from(v);
        const before = l2Norm(x);
        clipToNorm(x, c);
        const after = l2Norm(x);
        expect(after).toBeLessThanOrEqual(c);
        if (before > c) expect(after).toBeGreaterThan(c * (1 - 1e-5));
        else expect(Array.from(x)).toEqual(Array.from(v));
      }),
    );
  });

  it('never raises a norm and is idempotent', () => {
    fc.assert(
      fc.property(vectors, bounds, (v, c) => {
        const once = Float32Array.from(v);
        clipToNorm(once, c);
        expect(l2Norm(once)).toBeLessThanOrEqual(l2Norm(v));
        const twice = Float32Array.from(once);
        clipToNorm(twice, c);
        expect(Array.from(twice)).toEqual(Array.from(once));
      }),
    );
  });

  it('keeps the direction', () => {
    const x = Float32Array.from([3, 4]);
    clipToNorm(x, 1);
    expect(x[0]).toBeCloseTo(0.6, 6);
    expect(x[1]).toBeCloseTo(0.8, 6);
  });

  it('rejects a non-positive bound and a non-finite update', () => {
    expect(() => clipToNorm(new Float32Array(3), 0)).toThrow(RangeError);
    expect(() => clipToNorm(Float32Array.from([1, NaN]), 1)).toThrow(/NaN/);
  });
});
