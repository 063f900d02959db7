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
import { bernoulliExp, bernoulliExpMinusOne, bernoulliExpRatio } from './exact-bernoulli.js';
import { rejectionLimit, uniformBelow } from '../random/uniform-integer.js';
import { WordPool } from '../random/word-pool.js';

const ONE = { numerator: 1n, denominator: 1n } as const;

/** Largest scale the Number path takes: U is then one word and U + t·V stays far below 2^53. */
export const MAX_NUMBER_LAPLACE_SCALE = 2 ** 32;

/** V at which t·V could leave the exact integers of a double (reached with probability e^−(2^20)). */
const MAX_GEOMETRIC = 2 ** 20;

/**
 * The same algorithm on Numbers, for an integer scale 1 ≤ t ≤ 2^32 (not
 * checked) with `limit` = `rejectionLimit(t)`. Returns a signed integer.
 */
export function discreteLaplaceNumber(words: WordPool, scale: number, limit: number): number {
  for (;;) {
    const u = scale === 1 ? 0 : words.belowWithLimit(scale, limit);
    if (bernoulliExpRatio(words, u, scale, limit) === 0) continue;
    let v = 0;
    while (bernoulliExpMinusOne(words) === 1) {
      if (++v === MAX_GEOMETRIC) throw new RangeError('discrete Laplace draw too large for exact Number arithmetic');
    }
    const magnitude = u + scale * v;
    const negative = words.nextBit() === 1;
    if (negative && magnitude === 0) continue;
    return negative ? -magnitude : magnitude;
  }
}

export function sampleDiscreteLaplace(random: RandomSource, scale: bigint): bigint {
  if (typeof scale !== 'bigint') throw new TypeError(`expected scale to be a bigint, got ${typeof scale}`);
  if (scale < 1n) throw new RangeError(`expected scale >= 1, got ${scale}`);
  if (scale <= BigInt(MAX_NUMBER_LAPLACE_SCALE)) {
    const t = Number(scale);
    return BigInt(discreteLaplaceNumber(new WordPool(random, 16), t, rejectionLimit(t)));
  }
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
