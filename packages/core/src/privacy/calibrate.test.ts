import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { calibrateNoiseMultiplier, maxSteps } from './calibrate.js';
import { epsilonForMechanisms } from './mechanisms-epsilon.js';
import type { DpConversion } from './rdp-to-dp.js';

const conversion = fc.constantFrom<DpConversion>('improved', 'classic');
const setting = fc.record({
  targetEpsilon: fc.double({ min: 0.5, max: 10, noNaN: true }),
  delta: fc.double({ min: 1e-9, max: 1e-3, noNaN: true }),
  samplingRate: fc.double({ min: 1e-3, max: 0.2, noNaN: true }),
  conversion,
});

describe('calibrateNoiseMultiplier', () => {
  it('returns σ within budget, and 0.1% less noise is over budget', () => {
    fc.assert(
      fc.property(setting, fc.integer({ min: 1, max: 5000 }), ({ targetEpsilon, delta, samplingRate, conversion }, steps) => {
        const { noiseMultiplier, epsilon } = calibrateNoiseMultiplier({ targetEpsilon, delta, samplingRate, steps, conversion });
        const epsilonAt = (sigma: number): number =>
          epsilonForMechanisms({ mechanisms: [{ samplingRate, noiseMultiplier: sigma, steps }], delta, conversion }).epsilon;
        expect(epsilon).toBe(epsilonAt(noiseMultiplier));
        expect(epsilon).toBeLessThanOrEqual(targetEpsilon);
        expect(epsilonAt(noiseMultiplier * (1 - 0.001))).toBeGreaterThan(targetEpsilon);
      }),
      { numRuns: 25 },
    );
  });

  it('recovers σ = 1.5 from the ε it gives', () => {
    const { epsilon } = epsilonForMechanisms({ mechanisms: [{ samplingRate: 0.04, noiseMultiplier: 1.5, steps: 2250 }], delta: 1e-5, orders: 'opacus' });
    const calibrated = calibrateNoiseMultiplier({ targetEpsilon: epsilon, delta: 1e-5, samplingRate: 0.04, steps: 2250, orders: 'opacus' });
    expect(calibrated.noiseMultiplier).toBeGreaterThanOrEqual(1.5 * (1 - 1e-3));
    expect(calibrated.noiseMultiplier).toBeLessThanOrEqual(1.5 * (1 + 1e-3));
  });

  it('needs no noise when nothing is sampled or nothing is run', () => {
    expect(calibrateNoiseMultiplier({ targetEpsilon: 1, delta: 1e-5, samplingRate: 0, steps: 100 })).toEqual({ noiseMultiplier: 0, epsilon: 0 });
    expect(calibrateNoiseMultiplier({ targetEpsilon: 1, delta: 1e-5, samplingRate: 0.1, steps: 0 }).noiseMultiplier).toBe(0);
  });

  it('throws when the target is out of reach of the conversion', () => {
    // Classic with orders ≤ 3: ε ≥ −log(1e-5)/2 ≈ 5.76 whatever the noise.
    expect(() =>
      calibrateNoiseMultiplier({ targetEpsilon: 1, delta: 1e-5, samplingRate: 0.1, steps: 10, orders: [2, 3], conversion: 'classic' }),
    ).toThrow(RangeError);
  });

  it('validates its inputs', () => {
    const ok = { targetEpsilon: 1, delta: 1e-5, samplingRate: 0.1, steps: 10 };
    expect(() => calibrateNoiseMultiplier({ ...ok, targetEpsilon: 0 })).toThrow(new RangeError('expected targetEpsilon to be finite and > 0, got 0'));
    expect(() => calibrateNoiseMultiplier({ ...ok, delta: 2 })).toThrow(new RangeError('expected delta in (0, 1), got 2'));
    expect(() => calibrateNoiseMultiplier({ ...ok, samplingRate: 1.5 })).toThrow(new RangeError('expected samplingRate in [0, 1], got 1.5'));
    expect(() => calibrateNoiseMultiplier({ ...ok, steps: -1 })).toThrow(RangeError);
  });
});

describe('maxSteps', () => {
  it('is the tight boundary: its ε fits, one more step does not', () => {
    fc.assert(
      fc.property(setting, fc.double({ min: 0.8, max: 5, noNaN: true }), ({ targetEpsilon, delta, samplingRate, conversion }, noiseMultiplier) => {
        const steps = maxSteps({ targetEpsilon, delta, samplingRate, noiseMultiplier, conversion });
        const epsilonAt = (n: number): number =>
          epsilonForMechanisms({ mechanisms: [{ samplingRate, noiseMultiplier, steps: n }], delta, conversion }).epsilon;
        if (steps > 0) expect(epsilonAt(steps)).toBeLessThanOrEqual(targetEpsilon);
        expect(epsilonAt(steps + 1)).toBeGreaterThan(targetEpsilon);
      }),
      { numRuns: 25 },
    );
  });

  it('agrees with the published figure', () => {
    const steps = maxSteps({ targetEpsilon: 7.32911, delta: 1e-5, samplingRate: 0.04, noiseMultiplier: 1.5, orders: 'opacus' });
    // ε(2250) = 7.329111… is just above 7.32911, so 2249 steps fit.
    expect(steps).toBe(2249);
  });

  it('is unbounded for a free mechanism and 0 when one step is too many', () => {
    expect(maxSteps({ targetEpsilon: 1, delta: 1e-5, samplingRate: 0, noiseMultiplier: 1 })).toBe(Infinity);
    expect(maxSteps({ targetEpsilon: 1, delta: 1e-5, samplingRate: 0.5, noiseMultiplier: Infinity })).toBe(Infinity);
    expect(maxSteps({ targetEpsilon: 0.1, delta: 1e-5, samplingRate: 1, noiseMultiplier: 0.5 })).toBe(0);
  });
});
