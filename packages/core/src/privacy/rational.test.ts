import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { floorSqrt, floorSqrtRational, rational, rationalFromNumber, rationalToNumber } from './rational.js';

describe('rational', () => {
  it('holds doubles exactly', () => {
    expect(rationalFromNumber(0.1)).toEqual({ numerator: 3602879701896397n, denominator: 36028797018963968n });
    expect(rationalFromNumber(6.25)).toEqual({ numerator: 25n, denominator: 4n });
    expect(rationalFromNumber(2 ** 60)).toEqual({ numerator: 2n ** 60n, denominator: 1n });
    expect(rationalFromNumber(Number.MIN_VALUE)).toEqual({ numerator: 1n, denominator: 2n ** 1074n });
    expect(rationalToNumber(rationalFromNumber(Number.MIN_VALUE))).toBe(Number.MIN_VALUE);
    expect(rationalToNumber(rationalFromNumber(Number.MAX_VALUE))).toBe(Number.MAX_VALUE);
    expect(rationalToNumber(rational(1n, 3n))).toBeCloseTo(1 / 3, 15);
    fc.assert(
      fc.property(fc.double({ min: 2 ** -900, max: 2 ** 900, noNaN: true }), (x) => {
        const { numerator, denominator } = rationalFromNumber(x);
        // Both parts are exact doubles here, so their quotient is exactly x only if the rational is.
        expect(Number(numerator) / Number(denominator)).toBe(x);
        expect((denominator & (denominator - 1n)) === 0n).toBe(true);
        expect(Math.abs(rationalToNumber({ numerator, denominator }) / x - 1)).toBeLessThan(1e-15);
      }),
    );
  });

  it('reduces and validates', () => {
    expect(rational(10n, 4n)).toEqual({ numerator: 5n, denominator: 2n });
    expect(rational(0, 7)).toEqual({ numerator: 0n, denominator: 1n });
    expect(() => rational(1, 0)).toThrow(RangeError);
    expect(() => rational(-1, 2)).toThrow(RangeError);
    expect(() => rationalFromNumber(NaN)).toThrow(RangeError);
    expect(() => rationalFromNumber(-1)).toThrow(RangeError);
  });

  it('computes integer square roots exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 200n }), (n) => {
        const s = floorSqrt(n);
        expect(s * s <= n && (s + 1n) * (s + 1n) > n).toBe(true);
      }),
    );
    expect(floorSqrtRational(rational(25n, 4n))).toBe(2n); // √6.25 = 2.5
    expect(floorSqrtRational(rational(9n, 1n))).toBe(3n);
    expect(floorSqrtRational(rational(35n, 4n))).toBe(2n); // √8.75 ≈ 2.96
  });
});
