import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import type { RandomSource } from '../random/random-source.js';
import {
  acceptanceCoin,
  boundExponent,
  bucketIndex,
  createDiscreteGaussianSampler,
  createSamplerWithErrorScale,
  discreteGaussianVector,
  gaussianConstants,
  sampleDiscreteGaussian,
  type GaussianConstants,
  type VarianceInput,
} from './discrete-gaussian.js';
import { sampleDiscreteLaplace } from './discrete-laplace.js';
import { bernoulliExp, bernoulliFraction, expNegFixedPoint } from './exact-bernoulli.js';
import { rational, rationalFromNumber, rationalToNumber, type Rational } from './rational.js';
import { WordPool } from '../random/word-pool.js';
import { sampleMoments } from '../test-support/normal-distribution.js';

// Fixed seeds: every statistical check below is deterministic, and its
// tolerance (5 standard errors, or a chi-square quantile far in the tail) is
// what a correct sampler passes for all but a negligible fraction of seeds.

/** Exact moments of N_ℤ(0, σ²) (σ² ≤ ~10^4), summed over its whole numerical support. */
function exactMoments(sigmaSquared: number): { variance: number; fourth: number } {
  const reach = Math.ceil(40 * Math.sqrt(sigmaSquared)) + 10;
  let norm = 0;
  let second = 0;
  let fourth = 0;
  for (let k = -reach; k <= reach; k++) {
    const w = Math.exp((-k * k) / (2 * sigmaSquared));
    norm += w;
    second += k * k * w;
    fourth += k ** 4 * w;
  }
  return { variance: second / norm, fourth: fourth / norm };
}

/** Standard normal CDF: erfc by Numerical Recipes' Chebyshev fit (relative error < 1.2e−7), ample for bins of a few thousand counts. */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** χ² of `values` against `probability(bin)` over bins given by their upper edges (inclusive; the last bin takes the rest). */
function chiSquare(values: Int32Array, upperEdges: readonly number[], probability: (lower: number, upper: number) => number): number {
  const counts = new Float64Array(upperEdges.length);
  for (const v of values) {
    let bin = 0;
    while (bin < upperEdges.length - 1 && v > upperEdges[bin]!) bin++;
    counts[bin]!++;
  }
  let chi = 0;
  let lower = -Infinity;
  for (let bin = 0; bin < upperEdges.length; bin++) {
    const upper = bin === upperEdges.length - 1 ? Infinity : upperEdges[bin]!;
    const expected = values.length * probability(lower, upper);
    chi += (counts[bin]! - expected) ** 2 / expected;
    lower = upper;
  }
  return chi;
}

/** P(χ²_k > q) ≈ 1e−4 (Wilson–Hilferty), the rejection threshold for k degrees of freedom. */
function chiSquareThreshold(k: number): number {
  const z = 3.719; // one-sided 1e−4 normal quantile
  return k * (1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k))) ** 3;
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
      const { mean, variance } = sampleMoments(values);
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

describe('discrete Laplace pmf', () => {
  it('matches (1 − q)/(1 + q)·q^|x|, q = e^(−1/t), for small and large integer scales (chi-square)', () => {
    const random = createSeededRandomSource('laplace-chi2');
    const n = 60_000;
    for (const t of [1, 4, 1000]) {
      const q = Math.exp(-1 / t);
      const values = Int32Array.from({ length: n }, () => Number(sampleDiscreteLaplace(random, BigInt(t))));
      // Bins at multiples of t/2 out to ±4t: expected counts well above 5.
      const step = Math.max(1, t / 2);
      const edges: number[] = [];
      for (let e = -4 * t; e < 4 * t; e += step) edges.push(Math.floor(e));
      const mass = (x: number): number => ((1 - q) / (1 + q)) * q ** Math.abs(x);
      // P(X ≤ a) for the symmetric two-sided geometric, in closed form.
      const cdf = (a: number): number => (a === Infinity ? 1 : a === -Infinity ? 0 : a < 0 ? q ** -a / (1 + q) : 1 - q ** (a + 1) / (1 + q));
      const chi = chiSquare(values, edges, (lower, upper) => cdf(upper) - cdf(lower));
      expect(chi, `t = ${t}`).toBeLessThan(chiSquareThreshold(edges.length - 1));
      expect(mass(0)).toBeCloseTo(cdf(0) - cdf(-1), 12);
    }
    // Scales past 2^32 take the bigint path.
    const big = sampleDiscreteLaplace(random, 2n ** 40n);
    expect(typeof big).toBe('bigint');
  });
});

describe('discrete Gaussian: moments and pmf across σ²', () => {
  it('has mean 0 and the exact variance of N_ℤ(0, σ²) for small σ² (0.5, 2, 10, 10/3)', () => {
    const n = 100_000;
    for (const sigmaSquared of [0.5, 2, 10, rational(10n, 3n)] as const) {
      const s2 = typeof sigmaSquared === 'number' ? sigmaSquared : rationalToNumber(sigmaSquared);
      const label = `σ² = ${s2}`;
      const values = discreteGaussianVector(createSeededRandomSource(`moments-${s2}`), n, sigmaSquared);
      const { mean, variance } = sampleMoments(values);
      const exact = exactMoments(s2);
      expect(Math.abs(mean), label).toBeLessThan(5 * Math.sqrt(exact.variance / n));
      // Var of the sample variance ≈ (μ₄ − σ⁴)/n.
      expect(Math.abs(variance - exact.variance), label).toBeLessThan(5 * Math.sqrt((exact.fourth - exact.variance ** 2) / n));
    }
  });

  it('has mean 0, variance σ² and Gaussian kurtosis for large σ² (10^6, 10^10, 10^12, and a non-dyadic rational)', () => {
    const n = 100_000;
    for (const sigmaSquared of [1e6, 1e10, 1e12, rational(10n ** 12n, 7n)] as const) {
      const s2 = typeof sigmaSquared === 'number' ? sigmaSquared : rationalToNumber(sigmaSquared);
      const label = `σ² = ${s2}`;
      const values = discreteGaussianVector(createSeededRandomSource(`moments-large-${s2}`), n, sigmaSquared);
      let sum = 0;
      let squares = 0;
      let fourth = 0;
      for (const v of values) {
        sum += v;
        squares += v * v;
        fourth += (v * v) ** 2;
      }
      const mean = sum / n;
      const variance = squares / n - mean * mean;
      expect(Math.abs(mean), label).toBeLessThan(5 * Math.sqrt(s2 / n));
      expect(Math.abs(variance - s2), label).toBeLessThan(5 * Math.SQRT2 * (s2 / Math.sqrt(n)));
      // Kurtosis 3 (its standard error is √(24/n) ≈ 0.015): a Laplace-shaped bug would show 6.
      expect(Math.abs(fourth / n / variance ** 2 - 3), label).toBeLessThan(5 * Math.sqrt(24 / n));
    }
  });

  it('matches the exact pmf bin by bin (chi-square) for σ² on every bucket regime', () => {
    const n = 100_000;
    // 0.5 (λ = 1), 2.3 (λ = 1/2), 10/3 and 30 (λ = 1/4), 1000 and 12345.678 (λ = 1/8).
    for (const sigmaSquared of [0.5, 2.3, rational(10n, 3n), 30, 1000, 12345.678] as const) {
      const s2 = typeof sigmaSquared === 'number' ? sigmaSquared : rationalToNumber(sigmaSquared);
      const values = discreteGaussianVector(createSeededRandomSource(`pmf-${s2}`), n, sigmaSquared);
      const p = pmf(s2);
      const sigma = Math.sqrt(s2);
      // Bins of about σ/4 (at least 1) from −4σ to 4σ, the tails lumped.
      const step = Math.max(1, Math.floor(sigma / 4));
      const edges: number[] = [];
      for (let e = -Math.ceil(4 * sigma); e < 4 * sigma; e += step) edges.push(e);
      const chi = chiSquare(values, edges, (lower, upper) => {
        let mass = 0;
        const from = Math.max(Math.floor(lower) + 1, -Math.ceil(40 * sigma) - 10);
        const to = Math.min(upper, Math.ceil(40 * sigma) + 10);
        for (let k = from; k <= to; k++) mass += p(k);
        return mass;
      });
      expect(chi, `σ² = ${s2}`).toBeLessThan(chiSquareThreshold(edges.length));
    }
  });

  it('matches the Gaussian CDF in 40 bins for σ² = 10^8 and 10^12 (chi-square)', () => {
    const n = 100_000;
    for (const s2 of [1e8, 1e12]) {
      const sigma = Math.sqrt(s2);
      const values = discreteGaussianVector(createSeededRandomSource(`cdf-${s2}`), n, s2);
      // Edges at multiples of σ/5 (rounded): the pmf sums to Φ at half-integers, to within ~1/σ² relative.
      const edges = Array.from({ length: 39 }, (_, i) => Math.round(((i - 19) * sigma) / 5));
      const chi = chiSquare(values, edges, (lower, upper) => normalCdf((upper + 0.5) / sigma) - normalCdf((lower + 0.5) / sigma));
      expect(chi, `σ² = ${s2}`).toBeLessThan(chiSquareThreshold(39));
    }
  });

  it('crosses the bucket regimes (σ² = 1, 6, 400) and single draws with the same distribution', () => {
    const n = 60_000;
    for (const s2 of [0.999, 1, 5.99, 6, 399, 400]) {
      const values = discreteGaussianVector(createSeededRandomSource(`regime-${s2}`), n, s2);
      const { mean, variance } = sampleMoments(values);
      const exact = exactMoments(s2);
      expect(Math.abs(mean), `σ² = ${s2}`).toBeLessThan(5 * Math.sqrt(exact.variance / n));
      expect(Math.abs(variance - exact.variance), `σ² = ${s2}`).toBeLessThan(5 * Math.sqrt((exact.fourth - exact.variance ** 2) / n));
    }
    // sample() (one pool per draw) against fill().
    const sampler = createDiscreteGaussianSampler(12.5);
    const random = createSeededRandomSource('single-draws');
    const single = Int32Array.from({ length: 40_000 }, () => Number(sampler.sample(random)));
    const { mean, variance } = sampleMoments(single);
    const exact = exactMoments(12.5);
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(exact.variance / single.length));
    expect(Math.abs(variance - exact.variance)).toBeLessThan(5 * Math.sqrt((exact.fourth - exact.variance ** 2) / single.length));
  });

  it('is reproducible from a seed, for fill and for single draws', () => {
    for (const s2 of [0.7, 30, 1e12]) {
      expect(discreteGaussianVector(createSeededRandomSource('again'), 1000, s2)).toEqual(discreteGaussianVector(createSeededRandomSource('again'), 1000, s2));
    }
    const sampler = createDiscreteGaussianSampler(1e6);
    const a = createSeededRandomSource('again-single');
    const b = createSeededRandomSource('again-single');
    for (let i = 0; i < 20; i++) expect(sampler.sample(a)).toBe(sampler.sample(b));
    expect(discreteGaussianVector(createSeededRandomSource('a'), 1000, 30)).not.toEqual(discreteGaussianVector(createSeededRandomSource('b'), 1000, 30));
  });

  it('falls back to bigints outside the Number path (σ² < 2^−32, σ ≥ 2^35)', () => {
    expect(gaussianConstants(rational(1n, 2n ** 33n))).toBeUndefined();
    expect(gaussianConstants(rational(2n ** 72n))).toBeUndefined();
    expect(gaussianConstants(rational(2n ** 60n))).toBeDefined();
    expect(discreteGaussianVector(createSeededRandomSource('tiny'), 1000, 2 ** -40)).toEqual(new Int32Array(1000));
    const huge = createDiscreteGaussianSampler(rational(2n ** 80n)); // σ = 2^40
    const random = createSeededRandomSource('huge');
    let squares = 0;
    for (let i = 0; i < 200; i++) squares += Number(huge.sample(random)) ** 2;
    expect(squares / 200 / 2 ** 80).toBeGreaterThan(0.6);
    expect(squares / 200 / 2 ** 80).toBeLessThan(1.5);
    expect(() => huge.fill(random, new Int32Array(1))).toThrow(RangeError);
    expect(() => createDiscreteGaussianSampler(2 ** 64).fill(random, new Int32Array(10))).toThrow(/int32/);
  });
});

describe('discrete Gaussian: the exact acceptance step', () => {
  /** The acceptance exponent m²/(2σ²) − λV + K as a double, for checking frequencies. */
  function exponent(k: GaussianConstants, m: number, v: number): number {
    return (m * m) / (2 * (Number(k.n) / Number(k.d))) - v * k.lambda + Number(k.kNumerator) / Number(k.kDenominator);
  }

  function constants(sigmaSquared: VarianceInput, errorScale = 1): GaussianConstants {
    const variance: Rational = typeof sigmaSquared === 'number' ? rationalFromNumber(sigmaSquared) : sigmaSquared;
    const k = gaussianConstants(variance, errorScale);
    if (!k) throw new Error('expected the Number path');
    return k;
  }

  it('the double bounds on the exponent always contain the exact rational exponent', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ min: 2 ** -30, max: 2 ** 68, noNaN: true }), fc.tuple(fc.bigInt({ min: 1n, max: 2n ** 80n }), fc.bigInt({ min: 1n, max: 2n ** 40n }))),
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.integer({ min: 0, max: 200 }),
        (input, uRaw, v) => {
          const variance = typeof input === 'number' ? rationalFromNumber(input) : rational(input[0], input[1]);
          const k = gaussianConstants(variance);
          if (!k) return;
          const m = (uRaw % k.t) + k.t * v;
          boundExponent(k, m, v);
          // Exact: x = m²d/(2n) − v/2^shift + K, compared with lo and hi as rationals.
          const den = 2n * k.n * k.kDenominator * (1n << BigInt(k.lambdaShift));
          const num = ((BigInt(m) ** 2n * k.d * k.kDenominator) << BigInt(k.lambdaShift)) - BigInt(v) * 2n * k.n * k.kDenominator + ((2n * k.n * k.kNumerator) << BigInt(k.lambdaShift));
          expect(num >= 0n).toBe(true);
          const lo = rationalFromNumber(k.bounds[0]!);
          const hi = rationalFromNumber(k.bounds[1]!);
          expect(lo.numerator * den <= num * lo.denominator).toBe(true);
          expect(hi.numerator * den >= num * hi.denominator).toBe(true);
          // And tightly: the interval is far narrower than a word's resolution.
          expect(k.bounds[1]! - k.bounds[0]!).toBeLessThanOrEqual(Math.max(1, k.bounds[1]!) * 2 ** -40);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('accepts (m, V) with probability exp(−x): through the grid, and through the exact path when forced', () => {
    const trials = 40_000;
    for (const [sigmaSquared, proposals] of [
      [2.3, [[0, 0], [1, 1], [3, 3]]],
      [1e6, [[0, 0], [120, 0], [1001, 8], [4000, 31]]],
      [rational(10n ** 12n, 7n), [[5000, 0], [400_000, 8], [1_500_000, 30]]],
    ] as const) {
      for (const errorScale of [1, 2 ** 600]) {
        const k = constants(sigmaSquared, errorScale);
        const pool = new WordPool(createSeededRandomSource(`accept-${String(sigmaSquared)}-${errorScale}`), 4096);
        for (const [rawM, v] of proposals) {
          const m = k.t * v + (rawM % k.t); // a proposal in bucket v
          const n = errorScale > 1 ? trials / 8 : trials;
          let ones = 0;
          for (let i = 0; i < n; i++) ones += acceptanceCoin(pool, k, m, v);
          const p = Math.exp(-exponent(k, m, v));
          expect(Math.abs(ones / n - p), `σ² = ${String(sigmaSquared)}, m = ${m}, v = ${v}, errorScale = ${errorScale}`).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1e-9);
        }
      }
    }
  });

  it('samples the same distribution when every coin goes through the exact path', () => {
    // errorScale = 2^600 makes every acceptance coin with x > 0 bigint-exact: slow, so fewer draws.
    const n = 8_000;
    const s2 = 2.5;
    const values = createSamplerWithErrorScale(s2, 2 ** 600).fill(createSeededRandomSource('all-exact'), new Int32Array(n));
    const p = pmf(s2);
    const chi = chiSquare(values, [-4, -3, -2, -1, 0, 1, 2, 3, 4], (lower, upper) => {
      let mass = 0;
      for (let k = Math.max(Math.floor(lower) + 1, -100); k <= Math.min(upper, 100); k++) mass += p(k);
      return mass;
    });
    expect(chi).toBeLessThan(chiSquareThreshold(9));
  });
});

describe('discrete Gaussian: words on a boundary', () => {
  /** A pool that hands out exactly these words, one per refill. */
  function scripted(words: readonly number[]): WordPool {
    let next = 0;
    const source: RandomSource = {
      kind: 'seeded',
      nextUint32: () => words[next++]!,
      fillUint32: (out) => {
        for (let i = 0; i < out.length; i++) {
          if (next >= words.length) throw new Error('scripted source exhausted');
          out[i] = words[next++]!;
        }
      },
      nextFloat: () => 0,
    };
    return new WordPool(source, 1);
  }

  it('a bucket word equal to ⌊exp(−λ)·2^32⌋ is settled by the next word', () => {
    const k = gaussianConstants(rationalFromNumber(1e6))!;
    const tie = k.thresholds[0]!;
    // exp(−1/8)·2^32 = 3790295335.42…: the tie goes up with U′ < 0.42…, down otherwise.
    expect(tie).toBe(3790295335);
    expect(bucketIndex(scripted([tie + 1]), k)).toBe(0);
    expect(bucketIndex(scripted([tie - 1]), k)).toBe(1);
    expect(bucketIndex(scripted([tie, 0]), k)).toBe(1);
    expect(bucketIndex(scripted([tie, 0xffffffff]), k)).toBe(0);
    expect(bucketIndex(scripted([k.thresholds[100]! + 1]), k)).toBe(100);
  });

  it('an acceptance word equal to ⌊exp(−x)·2^32⌋ is settled by the next word', () => {
    const k = gaussianConstants(rationalFromNumber(1e6))!;
    for (const [m, v] of [[130, 1], [2000, 15], [0, 0]] as const) {
      // The exact exponent, and ⌊exp(−x)·2^32⌋ with its fraction, from the bigint bounds.
      const den = 2n * k.n * k.kDenominator * (1n << BigInt(k.lambdaShift));
      const num = ((BigInt(m) ** 2n * k.d * k.kDenominator) << BigInt(k.lambdaShift)) - BigInt(v) * 2n * k.n * k.kDenominator + ((2n * k.n * k.kNumerator) << BigInt(k.lambdaShift));
      const [lo, hi] = expNegFixedPoint(num, den, 96);
      const floor = Number(lo >> 64n);
      expect(Number(hi >> 64n)).toBe(floor);
      const fraction = Number(lo & ((1n << 64n) - 1n)) / 2 ** 64;
      expect(fraction > 0.01 && fraction < 0.99, `m = ${m}`).toBe(true);
      expect(acceptanceCoin(scripted([floor - 1]), k, m, v), `m = ${m}`).toBe(1);
      expect(acceptanceCoin(scripted([floor + 1]), k, m, v), `m = ${m}`).toBe(0);
      expect(acceptanceCoin(scripted([floor, 0]), k, m, v), `m = ${m}`).toBe(1);
      expect(acceptanceCoin(scripted([floor, 0xffffffff]), k, m, v), `m = ${m}`).toBe(0);
    }
  });
});
