/**
 * Exact sampler of the discrete Laplace distribution with integer scale t ≥ 1,
 * P(x) ∝ exp(−|x|/t) on ℤ: Canonne, Kamath, Steinke (NeurIPS 2020), §5.2,
 * Algorithm 2, with s = 1 (the only case the discrete Gaussian needs).
 *
 * |x| = U + t·V where U ∈ {0, …, t−1} has P(U) ∝ exp(−U/t) (uniform U,
 * accepted with Bernoulli(exp(−U/t))) and V is geometric with
 * P(V = v) ∝ exp(−v) (a run of Bernoulli(exp(−1)) successes); the sign is a
 * fair coin, with "−0" rejected so that 0 is not counted twice.
 */
import type { RandomSource } from '../random/random-source.js';
import { bernoulliExp } from './exact-bernoulli.js';
import { uniformBelow } from './uniform-integer.js';

const ONE = { numerator: 1n, denominator: 1n } as const;

export function sampleDiscreteLaplace(random: RandomSource, scale: bigint): bigint {
  if (typeof scale !== 'bigint') throw new TypeError(`expected scale to be a bigint, got ${typeof scale}`);
  if (scale < 1n) throw new RangeError(`expected scale >= 1, got ${scale}`);
  for (;;) {
    const u = uniformBelow(random, scale);
    if (bernoulliExp(random, { numerator: u, denominator: scale }) === 0) continue;
    let v = 0n;
    while (bernoulliExp(random, ONE) === 1) v++;
    const magnitude = u + scale * v;
    const negative = (random.nextUint32() & 1) === 1;
    if (negative && magnitude === 0n) continue;
    return negative ? -magnitude : magnitude;
  }
}
