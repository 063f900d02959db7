/**
 * Exact Bernoulli coins for the discrete Gaussian sampler: Bernoulli(p) for a
 * rational p, and Bernoulli(exp(−γ)) for a rational γ ≥ 0 by von Neumann's
 * trick as given in Canonne, Kamath, Steinke, "The Discrete Gaussian for
 * Differential Privacy" (NeurIPS 2020), §5.1, Algorithm 1. No floating point
 * is involved, so the output distribution is exactly the stated one (the
 * floating-point samplers this replaces leak through their rounding, Mironov
 * CCS 2012).
 */
import type { RandomSource } from '../random/random-source.js';
import type { Rational } from './rational.js';
import { uniformBelow, uniformBelowNumber } from './uniform-integer.js';

const TWO_32 = 1n << 32n;

/** 1 with probability numerator/denominator (0 ≤ numerator ≤ denominator), else 0. */
export function bernoulliFraction(random: RandomSource, numerator: bigint, denominator: bigint): 0 | 1 {
  if (denominator <= 0n || numerator < 0n || numerator > denominator) {
    throw new RangeError(`expected 0 <= numerator <= denominator and denominator > 0, got ${numerator}/${denominator}`);
  }
  // Hot path: the loops below mostly flip coins like 1/K with small K.
  if (denominator <= TWO_32) return uniformBelowNumber(random, Number(denominator)) < Number(numerator) ? 1 : 0;
  return uniformBelow(random, denominator) < numerator ? 1 : 0;
}

/**
 * Bernoulli(exp(−γ)) for γ ∈ [0, 1]: count K, the length of the run of
 * successes of Bernoulli(γ/1), Bernoulli(γ/2), …; P(K odd) = exp(−γ)
 * (the alternating series of the exponential).
 */
function bernoulliExpAtMostOne(random: RandomSource, gammaNum: bigint, gammaDen: bigint): 0 | 1 {
  let k = 1n;
  while (bernoulliFraction(random, gammaNum, gammaDen * k) === 1) k++;
  return k % 2n === 1n ? 1 : 0;
}

/**
 * 1 with probability exp(−γ) for rational γ ≥ 0. For γ > 1 the coin is the
 * AND of ⌊γ⌋ Bernoulli(exp(−1)) coins and one Bernoulli(exp(−(γ − ⌊γ⌋))),
 * since exp(−γ) = exp(−1)^⌊γ⌋ · exp(−frac γ); each stays in the fast γ ≤ 1 case.
 */
export function bernoulliExp(random: RandomSource, gamma: Rational): 0 | 1 {
  const { numerator, denominator } = gamma;
  if (denominator <= 0n || numerator < 0n) throw new RangeError(`expected gamma >= 0 with a positive denominator, got ${numerator}/${denominator}`);
  if (numerator <= denominator) return bernoulliExpAtMostOne(random, numerator, denominator);
  const whole = numerator / denominator;
  for (let i = 0n; i < whole; i++) {
    if (bernoulliExpAtMostOne(random, 1n, 1n) === 0) return 0;
  }
  return bernoulliExpAtMostOne(random, numerator - whole * denominator, denominator);
}
