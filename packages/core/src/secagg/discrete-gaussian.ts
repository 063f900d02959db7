/**
 * Exact sampler of the discrete Gaussian N_ℤ(0, σ²), P(x) ∝ exp(−x²/(2σ²))
 * on ℤ: Canonne, Kamath, Steinke, "The Discrete Gaussian for Differential
 * Privacy" (NeurIPS 2020), §5.3, Algorithm 3.
 *
 * Rejection sampling from the discrete Laplace with scale t = ⌊σ⌋ + 1: a
 * proposal Y is kept with probability exp(−(|Y| − σ²/t)² / (2σ²)), which is
 * proportional to the ratio of the two pmfs. All arithmetic is on bigints and
 * σ² is a rational, so the output has exactly the stated distribution given
 * uniform 32-bit words; the expected number of proposals is below 2 for
 * σ ≥ 1 (the paper's Proposition 5.1 bound is ≈ 1 + 2/σ, shrinking as σ grows).
 */
import type { RandomSource } from '../random/random-source.js';
import { sampleDiscreteLaplace } from './discrete-laplace.js';
import { bernoulliExp } from './exact-bernoulli.js';
import { floorSqrtRational, rationalFromNumber, type Rational } from './rational.js';

/** σ² as an exact rational, or as a double (converted exactly: see `rationalFromNumber`). */
export type VarianceInput = Rational | number;

function toVariance(sigmaSquared: VarianceInput): Rational {
  if (typeof sigmaSquared === 'number') return rationalFromNumber(sigmaSquared);
  if (typeof sigmaSquared !== 'object' || sigmaSquared === null) {
    throw new TypeError(`expected sigmaSquared to be a number or a rational, got ${sigmaSquared === null ? 'null' : typeof sigmaSquared}`);
  }
  const { numerator, denominator } = sigmaSquared;
  if (typeof numerator !== 'bigint' || typeof denominator !== 'bigint') {
    throw new TypeError('expected sigmaSquared.numerator and .denominator to be bigints');
  }
  if (denominator <= 0n || numerator < 0n) throw new RangeError(`expected sigmaSquared >= 0 with a positive denominator, got ${numerator}/${denominator}`);
  return sigmaSquared;
}

/** A sampler bound to one σ², with the per-σ² bigints computed once. */
export interface DiscreteGaussianSampler {
  /** The variance parameter σ² (exact). Note: the variance of N_ℤ(0, σ²) is slightly below σ² (CKS Prop. 5). */
  readonly sigmaSquared: Rational;
  /** One draw. */
  sample(random: RandomSource): bigint;
  /** Fills `out` with independent draws; throws if one does not fit in an int32 (only for σ ≳ 10^8). */
  fill(random: RandomSource, out: Int32Array): Int32Array;
}

export function createDiscreteGaussianSampler(sigmaSquared: VarianceInput): DiscreteGaussianSampler {
  const variance = toVariance(sigmaSquared);
  const { numerator: n, denominator: d } = variance;
  const t = floorSqrtRational(variance) + 1n;
  // γ = (|Y| − σ²/t)² / (2σ²) = (|Y|·t·d − n)² / (2·t²·n·d) with σ² = n/d.
  const gammaDenominator = 2n * t * t * n * d;
  const td = t * d;
  const sample = (random: RandomSource): bigint => {
    if (n === 0n) return 0n; // σ = 0: no noise.
    for (;;) {
      const y = sampleDiscreteLaplace(random, t);
      const offset = (y < 0n ? -y : y) * td - n;
      if (bernoulliExp(random, { numerator: offset * offset, denominator: gammaDenominator }) === 1) return y;
    }
  };
  return {
    sigmaSquared: variance,
    sample,
    fill(random, out) {
      for (let i = 0; i < out.length; i++) {
        const z = sample(random);
        if (z > 2147483647n || z < -2147483648n) throw new RangeError(`expected a discrete Gaussian draw to fit in an int32, got one of ${z.toString(2).length} bits`);
        out[i] = Number(z);
      }
      return out;
    },
  };
}

/** One draw from N_ℤ(0, σ²). For many draws with the same σ², create a sampler once. */
export function sampleDiscreteGaussian(random: RandomSource, sigmaSquared: VarianceInput): bigint {
  return createDiscreteGaussianSampler(sigmaSquared).sample(random);
}

/**
 * `length` independent draws from N_ℤ(0, σ²), e.g. one client's share of the
 * distributed discrete Gaussian noise (Kairouz, Liu, Steinke 2021, Alg. 1).
 *
 * @example
 * const noise = discreteGaussianVector(createCryptoRandomSource(), 1000, 2.5);
 */
export function discreteGaussianVector(random: RandomSource, length: number, sigmaSquared: VarianceInput): Int32Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`expected length to be a non-negative integer, got ${length}`);
  return createDiscreteGaussianSampler(sigmaSquared).fill(random, new Int32Array(length));
}
