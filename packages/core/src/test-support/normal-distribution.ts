/**
 * Reference functions for statistical tests of the Gaussian samplers: the
 * standard normal's CDF and tail to ~1e−15, and the Kolmogorov–Smirnov
 * statistic. Written out here (not taken from the code under test) so that
 * the tests compare against an independent reference.
 */

/**
 * erfc(x) for x ≥ 0. Below 1.5, 1 − erf(x) from the series
 * erf(x) = (2/√π) e^{−x²} Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)), whose terms are all
 * positive (no cancellation); from 1.5 on, the continued fraction
 * erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated
 * backwards, which keeps full relative precision far into the tail.
 */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 1.5) {
    let term = x;
    let sum = x;
    for (let n = 1; term > 1e-17 * sum; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  let fraction = x;
  for (let k = 120; k >= 1; k--) fraction = x + k / 2 / fraction;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
}

/** Φ(z) = P(Z ≤ z) for Z ~ N(0, 1). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** P(|Z| > t) for Z ~ N(0, 1), t ≥ 0, accurate in the far tail. */
export function twoSidedTail(t: number): number {
  return erfc(t / Math.SQRT2);
}

/**
 * sup |F_n − F| of a sample against a continuous CDF, times √n — compare
 * with the Kolmogorov distribution: P(√n·D > 1.628) ≈ 0.01, P(> 1.949) ≈ 0.001.
 */
export function ksStatistic(sample: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(sample).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const p = cdf(sorted[i]!);
    d = Math.max(d, (i + 1) / n - p, p - i / n);
  }
  return d * Math.sqrt(n);
}

/** √n·D above which the Kolmogorov–Smirnov test rejects at the 0.1% level. */
export const KS_CRITICAL_0_001 = 1.9495;

export interface SampleMoments {
  readonly mean: number;
  readonly variance: number;
  readonly skewness: number;
  readonly kurtosis: number;
}

/** Mean, variance, skewness and kurtosis of a sample (two passes: no cancellation in the variance). */
export function sampleMoments(xs: ArrayLike<number>): SampleMoments {
  const n = xs.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += xs[i]!;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean, variance: m2, skewness: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) };
}
