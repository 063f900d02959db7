import { describe, it, expect } from 'vitest';
import { addGaussianNoise, gaussianVector, zigguratTable } from './gaussian.js';
import { createSeededRandomSource } from './seeded-random-source.js';
import { createCryptoRandomSource } from './crypto-random-source.js';
import type { RandomSource } from './random-source.js';
import { erfc, normalCdf, twoSidedTail, ksStatistic, KS_CRITICAL_0_001, sampleMoments } from '../test-support/normal-distribution.js';

// σ ≠ 1 throughout, so a sampler that confused σ with σ² would fail.
const SIGMA = 2.5;

/** |z-scores| of a sample's moments against N(0, σ²): each should be a few units at most. */
function momentZScores(xs: ArrayLike<number>, sigma: number): number[] {
  const n = xs.length;
  const m = sampleMoments(xs);
  return [
    m.mean / (sigma / Math.sqrt(n)),
    (m.variance - sigma * sigma) / (sigma * sigma * Math.sqrt(2 / n)),
    m.skewness / Math.sqrt(6 / n),
    (m.kurtosis - 3) / Math.sqrt(24 / n),
  ].map(Math.abs);
}

/** How far (in binomial standard deviations) the count of |x| > kσ is from its expectation. */
function tailZScore(xs: ArrayLike<number>, sigma: number, k: number): number {
  let count = 0;
  for (let i = 0; i < xs.length; i++) if (Math.abs(xs[i]!) > k * sigma) count++;
  const p = twoSidedTail(k);
  const expected = xs.length * p;
  return Math.abs(count - expected) / Math.sqrt(expected * (1 - p));
}

/**
 * Pearson χ² of |x|/σ over 256 bins with the ziggurat's layer edges X[255] … X[1] = R
 * as boundaries (the last bin is the tail beyond R), against the half-normal.
 */
function layerChiSquare(xs: ArrayLike<number>, sigma: number): number {
  const { x: X } = zigguratTable;
  // Edges ascending: 0 = X[256] < X[255] < … < X[1] = R.
  const edges = Float64Array.from({ length: 256 }, (_, k) => X[256 - k]!);
  const counts = new Float64Array(256);
  for (let i = 0; i < xs.length; i++) {
    const t = Math.abs(xs[i]!) / sigma;
    let lo = 0;
    let hi = 256;
    // Largest k with edges[k] <= t.
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! <= t) lo = mid;
      else hi = mid;
    }
    counts[lo]!++;
  }
  let chi2 = 0;
  for (let k = 0; k < 256; k++) {
    const p = k < 255 ? twoSidedTail(edges[k]!) - twoSidedTail(edges[k + 1]!) : twoSidedTail(edges[255]!);
    const expected = p * xs.length;
    chi2 += (counts[k]! - expected) ** 2 / expected;
  }
  return chi2;
}

/** 99.9th percentile of χ² with 255 degrees of freedom. */
const CHI2_255_0_001 = 330.52;

const standardizedCdf = (sigma: number) => (x: number) => normalCdf(x / sigma);

/** |x|/σ of the draws beyond the ziggurat's R: every one of them came from the tail algorithm. */
function farTail(draws: number, sigma: number, source: RandomSource): number[] {
  const { r } = zigguratTable;
  const block = new Float64Array(4_000_000);
  const beyond: number[] = [];
  for (let done = 0; done < draws; done += block.length) {
    block.fill(0);
    addGaussianNoise(block, sigma, source);
    for (const x of block) if (Math.abs(x) > r * sigma) beyond.push(Math.abs(x) / sigma);
  }
  return beyond;
}

/** Conditional KS of far-tail values against P(|Z| ≤ t | |Z| > R). */
function tailKs(beyond: readonly number[]): number {
  const base = twoSidedTail(zigguratTable.r);
  return ksStatistic(beyond, (t) => 1 - twoSidedTail(t) / base);
}

// One large seeded sample shared by the statistical tests (fixed seed: the tests are deterministic).
const N = 4_000_000;
const sample = gaussianVector(N, SIGMA, createSeededRandomSource('gaussian-test'));
const head = sample.subarray(0, 1_000_000);

describe('reference functions of the tests', () => {
  it('erfc and Φ match published values', () => {
    // Abramowitz & Stegun / mpmath to 15 digits.
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 14);
    expect(erfc(1.4) / 0.04771488023735119).toBeCloseTo(1, 14);
    expect(erfc(2.5) / 4.069520174449589e-4).toBeCloseTo(1, 14);
    expect(erfc(3) / 2.209049699858544e-5).toBeCloseTo(1, 14);
    expect(erfc(5) / 1.537459794428035e-12).toBeCloseTo(1, 14);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(twoSidedTail(4) / 6.334248366623985e-5).toBeCloseTo(1, 12);
  });
});

describe('ziggurat table', () => {
  it('has 256 layers of equal area V that close at f(0) = 1', () => {
    const { x, f, r, v } = zigguratTable;
    expect(x[1]).toBe(r);
    expect(x[256]).toBe(0);
    expect(f[256]).toBe(1);
    for (let i = 1; i < 256; i++) {
      expect(x[i + 1]!).toBeLessThan(x[i]!);
      // Layer i is the box [0, X[i]] × [F[i], F[i+1]].
      expect((x[i]! * (f[i + 1]! - f[i]!)) / v).toBeCloseTo(1, 9);
    }
    // Layer 0: rectangle [0, R] × [0, f(R)] plus the tail beyond R.
    expect((r * Math.exp(-r * r / 2) + Math.sqrt(Math.PI / 2) * erfc(r / Math.SQRT2)) / v).toBeCloseTo(1, 12);
    expect(f[0]).toBe(0);
    expect((x[0]! * f[1]!) / v).toBeCloseTo(1, 15);
  });
});

describe('addGaussianNoise / gaussianVector', () => {
  it('has the moments of N(0, σ²) with σ = 2.5 (mean, variance, skewness, kurtosis within 4.5 standard errors)', () => {
    for (const z of momentZScores(sample, SIGMA)) expect(z).toBeLessThan(4.5);
  });

  it('passes a Kolmogorov–Smirnov test against the normal CDF (1,000,000 draws, 0.1% level)', () => {
    expect(ksStatistic(head, standardizedCdf(SIGMA))).toBeLessThan(KS_CRITICAL_0_001);
  });

  it('puts the right mass beyond 3σ and 4σ (4,000,000 draws: ~10,800 and ~253 expected)', () => {
    expect(tailZScore(sample, SIGMA, 3)).toBeLessThan(4.5);
    expect(tailZScore(sample, SIGMA, 4)).toBeLessThan(4.5);
  });

  it('puts the right mass in every layer of the ziggurat (χ² of |x| binned at the layer edges, 0.1% level)', () => {
    expect(layerChiSquare(sample, SIGMA)).toBeLessThan(CHI2_255_0_001);
  });

  it('draws the far tail beyond R ≈ 3.654σ from the normal tail (conditional KS on ~10,000 tail draws)', () => {
    const beyond = farTail(40_000_000, SIGMA, createSeededRandomSource('gaussian-tail'));
    // P(|Z| > R) = 2.580e−4: ~10,321 expected, binomial sd ~102.
    expect(Math.abs(beyond.length - 40_000_000 * twoSidedTail(zigguratTable.r))).toBeLessThan(4.5 * 102);
    expect(tailKs(beyond)).toBeLessThan(KS_CRITICAL_0_001);
    // The check can fail: the tail as a plain shifted exponential R + Exp(R)
    // (no acceptance step; sup distance 0.037 from the true tail) is rejected.
    const source = createSeededRandomSource('gaussian-tail-mutant');
    const shiftedExponential = beyond.map(() => zigguratTable.r - Math.log(1 - source.nextFloat()) / zigguratTable.r);
    expect(tailKs(shiftedExponential)).toBeGreaterThan(KS_CRITICAL_0_001);
  });

  it('the checks above can fail: they reject samplers that are slightly wrong', () => {
    const source = createSeededRandomSource('gaussian-mutants');
    // σ off by 1.5%: the variance check sees it.
    const wide = gaussianVector(1_000_000, SIGMA * 1.015, source);
    expect(Math.max(...momentZScores(wide, SIGMA))).toBeGreaterThan(4.5);
    // A logistic with the same variance: KS sees the shape.
    const logistic = Float64Array.from({ length: 1_000_000 }, () => {
      const u = source.nextFloat();
      return ((SIGMA * Math.sqrt(3)) / Math.PI) * Math.log(u / (1 - u));
    });
    expect(ksStatistic(logistic, standardizedCdf(SIGMA))).toBeGreaterThan(KS_CRITICAL_0_001);
    // No tail algorithm (draws clamped at R·σ): the 4σ count sees it.
    const clamped = sample.map((x) => Math.max(-zigguratTable.r * SIGMA, Math.min(zigguratTable.r * SIGMA, x)));
    expect(tailZScore(clamped, SIGMA, 4)).toBeGreaterThan(4.5);
    // The ziggurat without its wedge test (every point of a layer's box
    // accepted, ~0.7% excess mass in the wedges): too faint for KS, but the
    // layer-by-layer χ² sees it.
    expect(layerChiSquare(zigguratWithoutWedgeTest(N, SIGMA, source), SIGMA)).toBeGreaterThan(CHI2_255_0_001);
  });

  it('is reproducible for a seeded source, and differs between seeds', () => {
    const a = gaussianVector(10_000, SIGMA, createSeededRandomSource('repro'));
    const b = gaussianVector(10_000, SIGMA, createSeededRandomSource('repro'));
    const c = gaussianVector(10_000, SIGMA, createSeededRandomSource('other'));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    // The same draws, rounded once, into float32.
    const f32 = new Float32Array(10_000);
    addGaussianNoise(f32, SIGMA, createSeededRandomSource('repro'));
    expect(f32).toEqual(Float32Array.from(a));
    // Known answers: a change to the sampler changes every seeded simulation, so it must be deliberate.
    expect(Array.from(a.subarray(0, 4), (x) => x.toFixed(12))).toEqual(['2.033542437196', '-0.345351456493', '1.147312799360', '-2.214876205462']);
  });

  it('adds to what is there, and a second call continues the stream', () => {
    const source = createSeededRandomSource('add');
    const fresh = createSeededRandomSource('add');
    const out = new Float64Array(1000).fill(10);
    addGaussianNoise(out, SIGMA, source);
    const draws = gaussianVector(1000, SIGMA, fresh);
    for (let i = 0; i < out.length; i++) expect(out[i]! - 10).toBeCloseTo(draws[i]!, 12);
    expect(gaussianVector(1000, SIGMA, source)).not.toEqual(draws);
  });

  it('draws only from the source it is given and leaves no words behind for another source', () => {
    const counted = (inner: RandomSource) => {
      let words = 0;
      const source: RandomSource = { ...inner, kind: inner.kind, fillUint32: (out) => ((words += out.length), inner.fillUint32(out)) };
      return { source, words: () => words };
    };
    const crypto = counted(createCryptoRandomSource());
    addGaussianNoise(new Float64Array(5000), SIGMA, crypto.source);
    expect(crypto.words()).toBeGreaterThanOrEqual(10_000);
    // A seeded call right after a crypto call gives exactly what it gives alone.
    const after = gaussianVector(5000, SIGMA, createSeededRandomSource('separate'));
    expect(after).toEqual(gaussianVector(5000, SIGMA, createSeededRandomSource('separate')));
    // σ = 0 adds nothing and draws nothing.
    const zero = counted(createSeededRandomSource('zero'));
    const out = new Float64Array(100).fill(1);
    addGaussianNoise(out, 0, zero.source);
    expect(out.every((x) => x === 1)).toBe(true);
    expect(zero.words()).toBe(0);
  });

  it('has the moments of N(0, σ²) from the cryptographic source too (loose bounds: unseeded)', () => {
    const xs = gaussianVector(200_000, SIGMA, createCryptoRandomSource());
    for (const z of momentZScores(xs, SIGMA)) expect(z).toBeLessThan(6);
    expect(ksStatistic(xs, standardizedCdf(SIGMA))).toBeLessThan(2.6); // P(√n·D > 2.6) < 1e−5
  });

  it('rejects a σ that is negative, NaN or infinite', () => {
    const source = createSeededRandomSource('bad');
    for (const sigma of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => addGaussianNoise(new Float64Array(3), sigma, source)).toThrow(RangeError);
  });
});

/**
 * A broken ziggurat for the mutant check: every point of a box is accepted
 * (no wedge test). Same table, same tail.
 */
function zigguratWithoutWedgeTest(n: number, sigma: number, source: RandomSource): Float64Array {
  const { x: X, r } = zigguratTable;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const layer = source.nextUint32() & 0xff;
    const sign = source.nextFloat() < 0.5 ? -1 : 1;
    let x = source.nextFloat() * X[layer]!;
    if (layer === 0 && x >= r) {
      for (;;) {
        const a = -Math.log(1 - source.nextFloat()) / r;
        if (-2 * Math.log(1 - source.nextFloat()) >= a * a) {
          x = r + a;
          break;
        }
      }
    }
    out[i] = sign * sigma * x;
  }
  return out;
}
