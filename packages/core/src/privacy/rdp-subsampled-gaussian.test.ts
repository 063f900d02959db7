import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { composeRdp, subsampledGaussianRdp, subsampledGaussianRdpVector } from './rdp-subsampled-gaussian.js';
import { RDP_ORDER_PRESETS } from './rdp-orders.js';

const relativeError = (got: number, expected: number): number => Math.abs(got - expected) / Math.abs(expected);

const samplingRate = fc.double({ min: 1e-4, max: 0.99, noNaN: true });
const noiseMultiplier = fc.double({ min: 0.5, max: 20, noNaN: true });
const steps = fc.integer({ min: 1, max: 20_000 });
const mechanism = fc.record({ samplingRate, noiseMultiplier, steps });
const SMALL_ORDERS = [1.5, 2, 3.25, 8, 32, 256];

describe('subsampledGaussianRdp at integer orders', () => {
  it('matches the closed form at α = 2: log(1 + q²(e^(1/σ²) − 1))', () => {
    fc.assert(
      fc.property(samplingRate, noiseMultiplier, (q, sigma) => {
        const expected = Math.log1p(q * q * Math.expm1(1 / (sigma * sigma)));
        // Summing A_α ≈ 1 in log space leaves ~1e-16 absolute error on log A_α.
        expect(Math.abs(subsampledGaussianRdp(q, sigma, 2) - expected)).toBeLessThan(1e-9 * expected + 1e-15);
      }),
    );
  });

  it('matches the binomial sum written out at α = 3', () => {
    const q = 0.01;
    const sigma = 1.1;
    const e = Math.exp(1 / (sigma * sigma));
    const a3 = (1 - q) ** 3 + 3 * q * (1 - q) ** 2 + 3 * q * q * (1 - q) * e + q ** 3 * e ** 3;
    expect(relativeError(subsampledGaussianRdp(q, sigma, 3), Math.log(a3) / 2)).toBeLessThan(1e-12);
  });

  it('stays finite at order 1024 with little noise, where A_α overflows a double', () => {
    const value = subsampledGaussianRdp(0.2, 0.5, 1024);
    expect(Number.isFinite(value)).toBe(true);
    // Dominated by the i = α term: (α log q + α(α−1)/(2σ²)) / (α − 1).
    expect(value).toBeCloseTo((1024 * Math.log(0.2) + (1024 * 1023) / 0.5) / 1023, 6);
  });
});

describe('subsampledGaussianRdp at fractional orders', () => {
  // log(A_α)/(α−1) by direct numerical integration in mpmath at 40 digits.
  const reference: [number, number, number, number][] = [
    [0.01, 1.1, 1.5, 0.0000955452857187483],
    [0.3, 0.7, 3.7, 2.1401566101292446],
    [0.5, 2, 10.9, 0.7001274654610443],
    [0.9, 1, 1.1, 0.4516452257090795],
    [0.04, 1.5, 3.9, 0.0018332021995838587],
    [0.001, 0.8, 7.25, 0.000014482959098759986],
    [0.2, 5, 2.5, 0.002045588471931179],
  ];

  it('matches direct numerical integration', () => {
    for (const [q, sigma, order, expected] of reference) {
      // The series stops at terms below e^-30 of A_α, as dp-accounting does.
      expect(relativeError(subsampledGaussianRdp(q, sigma, order), expected)).toBeLessThan(1e-8);
    }
  });

  it('is continuous at the integers between the two expansions', () => {
    fc.assert(
      fc.property(samplingRate, noiseMultiplier, fc.integer({ min: 2, max: 12 }), (q, sigma, n) => {
        const atInteger = subsampledGaussianRdp(q, sigma, n);
        for (const order of [n - 1e-7, n + 1e-7]) {
          const nearby = subsampledGaussianRdp(q, sigma, order);
          expect(Math.abs(nearby - atInteger)).toBeLessThanOrEqual(1e-5 * atInteger + 1e-12);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('lies between its integer neighbours (RDP is non-decreasing in α)', () => {
    fc.assert(
      fc.property(samplingRate, noiseMultiplier, fc.integer({ min: 2, max: 30 }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (q, sigma, n, frac) => {
        const lo = subsampledGaussianRdp(q, sigma, n);
        const mid = subsampledGaussianRdp(q, sigma, n + frac);
        const hi = subsampledGaussianRdp(q, sigma, n + 1);
        const slack = 1e-9 * hi + 1e-15;
        expect(mid).toBeGreaterThanOrEqual(lo - slack);
        expect(mid).toBeLessThanOrEqual(hi + slack);
      }),
      { numRuns: 50 },
    );
  });

  it('is non-decreasing along every preset', () => {
    fc.assert(
      fc.property(samplingRate, noiseMultiplier, (q, sigma) => {
        const orders = RDP_ORDER_PRESETS['dp-accounting'];
        const rdp = subsampledGaussianRdpVector(q, sigma, orders);
        for (let k = 1; k < rdp.length; k++) {
          expect(rdp[k] as number).toBeGreaterThanOrEqual((rdp[k - 1] as number) * (1 - 1e-9) - 1e-15);
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe('special cases', () => {
  it('q = 0, σ = ∞ and zero steps cost nothing', () => {
    expect(subsampledGaussianRdp(0, 1, 2.5)).toBe(0);
    expect(subsampledGaussianRdp(0.3, Infinity, 2.5)).toBe(0);
    expect(composeRdp([{ samplingRate: 0.3, noiseMultiplier: 0.01, steps: 0 }], [2, 3.5])).toEqual([0, 0]);
    expect(composeRdp([], [2, 3.5])).toEqual([0, 0]);
  });

  it('q = 1 is the plain Gaussian mechanism α/(2σ²)', () => {
    expect(subsampledGaussianRdp(1, 2, 5)).toBe(5 / 8);
    expect(subsampledGaussianRdp(1, 2, 5.5)).toBe(5.5 / 8);
  });

  it('no noise means no privacy', () => {
    expect(subsampledGaussianRdp(0.1, 0, 2)).toBe(Infinity);
  });

  it('rejects bad parameters with the expected error types', () => {
    expect(() => subsampledGaussianRdp(1.5, 1, 2)).toThrow(new RangeError('expected samplingRate in [0, 1], got 1.5'));
    expect(() => subsampledGaussianRdp(-0.1, 1, 2)).toThrow(RangeError);
    expect(() => subsampledGaussianRdp(0.1, -1, 2)).toThrow(new RangeError('expected noiseMultiplier >= 0, got -1'));
    expect(() => subsampledGaussianRdp(0.1, NaN, 2)).toThrow(RangeError);
    expect(() => subsampledGaussianRdp(0.1, 1, 1)).toThrow(new RangeError('expected order to be finite and > 1, got 1'));
    expect(() => subsampledGaussianRdp('0.1' as unknown as number, 1, 2)).toThrow(TypeError);
    expect(() => composeRdp([{ samplingRate: 0.1, noiseMultiplier: 1, steps: 1.5 }], [2])).toThrow(
      new RangeError('expected mechanisms[0].steps to be a non-negative integer, got 1.5'),
    );
    expect(() => composeRdp([{ samplingRate: 0.1, noiseMultiplier: 1, steps: 1 }], [0.5])).toThrow(RangeError);
  });
});

describe('composition (properties)', () => {
  it('q = 1 equals α/(2σ²) · steps', () => {
    fc.assert(
      fc.property(noiseMultiplier, steps, (sigma, n) => {
        const rdp = composeRdp([{ samplingRate: 1, noiseMultiplier: sigma, steps: n }], SMALL_ORDERS);
        SMALL_ORDERS.forEach((order, k) => {
          expect(relativeError(rdp[k] as number, (order / (2 * sigma * sigma)) * n)).toBeLessThan(1e-12);
        });
      }),
    );
  });

  it('q = 0 gives 0', () => {
    fc.assert(
      fc.property(noiseMultiplier, steps, (sigma, n) => {
        expect(composeRdp([{ samplingRate: 0, noiseMultiplier: sigma, steps: n }], SMALL_ORDERS)).toEqual(SMALL_ORDERS.map(() => 0));
      }),
    );
  });

  it('grows with steps and falls with σ', () => {
    fc.assert(
      fc.property(mechanism, fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0.01, max: 2, noNaN: true }), (m, extraSteps, extraNoise) => {
        const base = composeRdp([m], SMALL_ORDERS);
        const longer = composeRdp([{ ...m, steps: m.steps + extraSteps }], SMALL_ORDERS);
        const noisier = composeRdp([{ ...m, noiseMultiplier: m.noiseMultiplier * (1 + extraNoise) }], SMALL_ORDERS);
        base.forEach((value, k) => {
          expect(longer[k] as number).toBeGreaterThan(value);
          expect(noisier[k] as number).toBeLessThan(value);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('is additive and independent of order', () => {
    fc.assert(
      fc.property(fc.array(mechanism, { minLength: 1, maxLength: 5 }), (mechanisms) => {
        const together = composeRdp(mechanisms, SMALL_ORDERS);
        const reversed = composeRdp([...mechanisms].reverse(), SMALL_ORDERS);
        const separately = mechanisms
          .map((m) => composeRdp([m], SMALL_ORDERS))
          .reduce((acc, rdp) => acc.map((v, k) => v + (rdp[k] as number)));
        together.forEach((value, k) => {
          expect(relativeError(reversed[k] as number, value)).toBeLessThan(1e-12);
          expect(relativeError(separately[k] as number, value)).toBeLessThan(1e-12);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('scales linearly in steps', () => {
    fc.assert(
      fc.property(mechanism, (m) => {
        const one = composeRdp([{ ...m, steps: 1 }], SMALL_ORDERS);
        const many = composeRdp([m], SMALL_ORDERS);
        one.forEach((value, k) => expect(relativeError(many[k] as number, value * m.steps)).toBeLessThan(1e-12));
      }),
      { numRuns: 50 },
    );
  });
});
