import { describe, it, expect } from 'vitest';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { createDiscreteGaussianSampler, discreteGaussianVector, sampleDiscreteGaussian } from './discrete-gaussian.js';
import { sampleDiscreteLaplace } from './discrete-laplace.js';
import { bernoulliExp, bernoulliFraction } from './exact-bernoulli.js';
import { rational } from './rational.js';

// Fixed seeds: every statistical check below is deterministic, and its
// tolerance (5 standard errors, or a chi-square quantile far in the tail) is
// what a correct sampler passes for all but a negligible fraction of seeds.

function moments(values: Int32Array): { mean: number; variance: number } {
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / values.length;
  return { mean, variance: squares / values.length - mean * mean };
}

/** The pmf of N_ℤ(0, σ²), normalised over a support wide enough to hold all its mass in double precision. */
function pmf(sigmaSquared: number): (x: number) => number {
  const reach = Math.ceil(40 * Math.sqrt(sigmaSquared)) + 10;
  let norm = 0;
  for (let k = -reach; k <= reach; k++) norm += Math.exp((-k * k) / (2 * sigmaSquared));
  return (x) => Math.exp((-x * x) / (2 * sigmaSquared)) / norm;
}

describe('exact Bernoulli coins', () => {
  it('Bernoulli(p) for rational p, small and large denominators', () => {
    const random = createSeededRandomSource('bernoulli-fraction');
    const trials = 100_000;
    for (const [num, den] of [[1n, 3n], [7n, 10n], [2n ** 40n, 3n * 2n ** 40n + 1n]] as const) {
      let ones = 0;
      for (let i = 0; i < trials; i++) ones += bernoulliFraction(random, num, den);
      const p = Number(num) / Number(den);
      expect(Math.abs(ones / trials - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / trials));
    }
    expect(bernoulliFraction(random, 0n, 5n)).toBe(0);
    expect(bernoulliFraction(random, 5n, 5n)).toBe(1);
  });

  it('Bernoulli(exp(−γ)) for γ below, at and above 1', () => {
    const random = createSeededRandomSource('bernoulli-exp');
    const trials = 100_000;
    for (const gamma of [rational(0n), rational(1n, 2n), rational(1n), rational(5n, 2n), rational(7n, 3n)]) {
      let ones = 0;
      for (let i = 0; i < trials; i++) ones += bernoulliExp(random, gamma);
      const p = Math.exp(-Number(gamma.numerator) / Number(gamma.denominator));
      expect(Math.abs(ones / trials - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / trials));
    }
  });
});

describe('discrete Laplace', () => {
  it('has P(0) = (1 − e^(−1/t)) / (1 + e^(−1/t)) and is symmetric', () => {
    const random = createSeededRandomSource('laplace');
    const trials = 100_000;
    for (const t of [1n, 3n]) {
      let zeros = 0;
      let positive = 0;
      let negative = 0;
      for (let i = 0; i < trials; i++) {
        const x = sampleDiscreteLaplace(random, t);
        if (x === 0n) zeros++;
        else if (x > 0n) positive++;
        else negative++;
      }
      const q = Math.exp(-1 / Number(t));
      const p0 = (1 - q) / (1 + q);
      expect(Math.abs(zeros / trials - p0)).toBeLessThan(5 * Math.sqrt((p0 * (1 - p0)) / trials));
      expect(Math.abs(positive - negative)).toBeLessThan(5 * Math.sqrt(positive + negative));
    }
  });
});

describe('discrete Gaussian (Canonne, Kamath, Steinke 2020)', () => {
  it('has mean 0 and variance σ² (σ² given as a float and as a rational)', () => {
    const n = 100_000;
    for (const [sigmaSquared, label] of [[2.3, 'float 2.3'], [rational(49n, 4n), '49/4'], [400, 'float 400']] as const) {
      const s2 = typeof sigmaSquared === 'number' ? sigmaSquared : Number(sigmaSquared.numerator) / Number(sigmaSquared.denominator);
      const values = discreteGaussianVector(createSeededRandomSource(`dgauss-${label}`), n, sigmaSquared);
      const { mean, variance } = moments(values);
      // Standard errors of the mean and of the sample variance (≈ √2·σ²/√n for a near-Gaussian).
      expect(Math.abs(mean), label).toBeLessThan(5 * Math.sqrt(s2 / n));
      expect(Math.abs(variance - s2), label).toBeLessThan(5 * Math.SQRT2 * (s2 / Math.sqrt(n)));
    }
  });

  it('is symmetric: x and −x equally frequent', () => {
    const values = discreteGaussianVector(createSeededRandomSource('dgauss-symmetry'), 100_000, 6.25);
    const counts = new Map<number, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    for (let k = 1; k <= 6; k++) {
      const plus = counts.get(k) ?? 0;
      const minus = counts.get(-k) ?? 0;
      expect(Math.abs(plus - minus), `k = ${k}`).toBeLessThan(5 * Math.sqrt(plus + minus));
    }
  });

  it('matches exp(−x²/2σ²)/normaliser on a small support (chi-square)', () => {
    const sigmaSquared = 2.5;
    const n = 100_000;
    const values = discreteGaussianVector(createSeededRandomSource('dgauss-chi2'), n, sigmaSquared);
    const p = pmf(sigmaSquared);
    // Bins −5…5, plus the two tails lumped (expected counts ≥ 5 everywhere).
    const observed = new Map<number, number>();
    for (const v of values) {
      const bin = Math.max(-6, Math.min(6, v));
      observed.set(bin, (observed.get(bin) ?? 0) + 1);
    }
    let tail = 0;
    for (let k = 6; k < 100; k++) tail += p(k);
    let chiSquare = 0;
    for (let bin = -6; bin <= 6; bin++) {
      const expected = n * (Math.abs(bin) === 6 ? tail : p(bin));
      chiSquare += ((observed.get(bin) ?? 0) - expected) ** 2 / expected;
    }
    // 13 bins, 12 degrees of freedom: P(χ² > 36.6) ≈ 2.5·10^-4.
    expect(chiSquare).toBeLessThan(36.6);
  });

  it('is reproducible for a fixed seed and gives 0 for σ² = 0', () => {
    const a = discreteGaussianVector(createSeededRandomSource('same'), 50, 9);
    const b = discreteGaussianVector(createSeededRandomSource('same'), 50, 9);
    expect(a).toEqual(b);
    expect(discreteGaussianVector(createSeededRandomSource('zero'), 5, 0)).toEqual(new Int32Array(5));
    expect(typeof sampleDiscreteGaussian(createSeededRandomSource('one'), rational(3n, 2n))).toBe('bigint');
    expect(createDiscreteGaussianSampler(6.25).sigmaSquared).toEqual(rational(25n, 4n));
  });

  it('refuses a negative or non-finite σ²', () => {
    expect(() => discreteGaussianVector(createSeededRandomSource('bad'), 1, -1)).toThrow(RangeError);
    expect(() => discreteGaussianVector(createSeededRandomSource('bad'), 1, Infinity)).toThrow(RangeError);
    expect(() => discreteGaussianVector(createSeededRandomSource('bad'), 1, { numerator: 1n, denominator: 0n })).toThrow(RangeError);
  });
});
