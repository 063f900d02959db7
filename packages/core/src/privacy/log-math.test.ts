import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { binomialSign, erfc, logAbsBinomial, logAdd, logErfc, logSub, logSumExp } from './log-math.js';

describe('logAdd / logSub', () => {
  it('treats -Infinity as log(0)', () => {
    expect(logAdd(-Infinity, 3)).toBe(3);
    expect(logAdd(3, -Infinity)).toBe(3);
    expect(logAdd(-Infinity, -Infinity)).toBe(-Infinity);
    expect(logSub(3, -Infinity)).toBe(3);
    expect(logSub(3, 3)).toBe(-Infinity);
  });

  it('does not overflow where exp would', () => {
    expect(logAdd(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSub(1000, 1000 - Math.LN2)).toBeCloseTo(1000 - Math.LN2, 12);
  });

  it('inverts each other', () => {
    fc.assert(
      // Within e^10 of each other: further apart, x is below y's rounding error.
      fc.property(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), (x, gap) => {
        const y = x + gap;
        const sum = logAdd(x, y);
        expect(sum).toBeGreaterThanOrEqual(Math.max(x, y));
        expect(logSub(sum, y)).toBeCloseTo(x, 8);
      }),
    );
  });

  it('rejects a negative difference', () => {
    expect(() => logSub(1, 2)).toThrow(RangeError);
    expect(() => logSub(1, 2)).toThrow('expected logSub(x, y) with x >= y, got x = 1, y = 2');
  });

  it('logSumExp matches the direct sum', () => {
    expect(logSumExp([Math.log(1), Math.log(2), Math.log(3)])).toBeCloseTo(Math.log(6), 14);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([800, 800])).toBeCloseTo(800 + Math.LN2, 12);
  });
});

describe('logAbsBinomial / binomialSign', () => {
  it('matches small integer coefficients', () => {
    expect(Math.exp(logAbsBinomial(10, 3))).toBeCloseTo(120, 9);
    expect(Math.exp(logAbsBinomial(52, 5))).toBeCloseTo(2_598_960, 4);
    expect(logAbsBinomial(7, 0)).toBe(0);
    expect(logAbsBinomial(5, 7)).toBe(-Infinity);
    expect(binomialSign(5, 7)).toBe(0);
  });

  it('stays finite where the coefficient overflows', () => {
    // log C(1024, 512) = 706.0909… (mpmath); C(1024, 512) itself is about 4.5e306.
    const value = logAbsBinomial(1024, 512);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeCloseTo(706.090941497353, 9);
  });

  it('handles fractional n with alternating signs', () => {
    // C(1.5, 3) = 1.5 · 0.5 · (−0.5) / 6 = −0.0625
    expect(Math.exp(logAbsBinomial(1.5, 3))).toBeCloseTo(0.0625, 14);
    expect(binomialSign(1.5, 3)).toBe(-1);
    expect(binomialSign(1.5, 4)).toBe(1);
  });
});

describe('erfc / logErfc', () => {
  // Reference values: mpmath log(erfc(x)) at 50 digits, rounded to the nearest double.
  const reference: [number, number][] = [
    [-30, 0.6931471805599453],
    [-2, 0.6908055736465877],
    [-0.5, 0.41903914777555956],
    [-0.3, 0.28414589714140825],
    [0, 0],
    [0.2, -0.2519322337826167],
    [0.47, -0.6807148845816811],
    [1, -1.8496055099332482],
    [2, -5.364941264616638],
    [4.1, -18.821154183082648],
    [10, -102.87988902484489],
    [26.5, -706.100220410148],
    [26.6, -711.4139815684962],
    [50, -2504.4845878484516],
    [1000, -1000007.4801207219],
  ];

  it('matches high-precision values in every regime', () => {
    for (const [x, expected] of reference) {
      const got = logErfc(x);
      if (expected === 0) expect(got).toBeCloseTo(0, 15);
      else expect(Math.abs((got - expected) / expected)).toBeLessThan(1e-14);
    }
  });

  it('handles the limits', () => {
    expect(logErfc(Infinity)).toBe(-Infinity);
    expect(logErfc(-Infinity)).toBeCloseTo(Math.LN2, 15);
    expect(Number.isNaN(logErfc(NaN))).toBe(true);
    expect(erfc(0)).toBe(1);
    expect(erfc(40)).toBe(0);
  });

  it('agrees with log(erfc) where erfc does not underflow, and decreases', () => {
    fc.assert(
      fc.property(fc.double({ min: -6, max: 25, noNaN: true }), fc.double({ min: 1e-6, max: 1, noNaN: true }), (x, dx) => {
        expect(logErfc(x)).toBeCloseTo(Math.log(erfc(x)), 10);
        expect(logErfc(x + dx)).toBeLessThanOrEqual(logErfc(x));
      }),
    );
  });

  it('is continuous across the switch to the asymptotic series', () => {
    const below = logErfc(26.543 - 1e-9);
    const above = logErfc(26.543);
    expect(Math.abs(above - below)).toBeLessThan(1e-6);
  });
});
