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
import { rejectionLimit, uniformBelow, uniformBelowNumber } from '../random/uniform-integer.js';
import type { WordPool } from '../random/word-pool.js';

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

// Number versions for the samplers' inner loops: the same algorithm on
// integers below 2^53, which doubles hold exactly, with words from a pool.

/** Rejection limits for the coins Bernoulli(1/k), 2 ≤ k < 64, of the exp(−1) series. */
const SMALL_LIMITS = Float64Array.from({ length: 64 }, (_, k) => (k === 0 ? 0 : rejectionLimit(k)));

/**
 * Bernoulli(exp(−1)): the series above with γ = 1, whose coin k is
 * Bernoulli(1/k). Coin 1 always succeeds and coin 2 is a fair bit, so most
 * calls cost one bit.
 */
export function bernoulliExpMinusOne(words: WordPool): 0 | 1 {
  if (words.nextBit() === 1) return 0; // coin 2 failed: K = 2
  let k = 3;
  while ((k < 64 ? words.belowWithLimit(k, SMALL_LIMITS[k]!) : words.below(k)) === 0) k++;
  return (k & 1) as 0 | 1;
}

/**
 * Bernoulli(exp(−numerator/denominator)) for integers 0 ≤ numerator ≤
 * denominator ≤ 2^32 (not checked: callers hold these by construction), with
 * `limit` = `rejectionLimit(denominator)`. Coin k of the series is
 * Bernoulli(numerator/(denominator·k)), drawn as the AND of independent
 * Bernoulli(1/k) and Bernoulli(numerator/denominator) coins (the same
 * probability), so every uniform draw has a fixed, precomputed range and the
 * cheap 1/k coin, which usually fails, goes first.
 */
export function bernoulliExpRatio(words: WordPool, numerator: number, denominator: number, limit: number): 0 | 1 {
  if (numerator === 0) return 1;
  if (words.belowWithLimit(denominator, limit) >= numerator) return 1; // coin 1 failed: K = 1
  for (let k = 2; ; k++) {
    const oneInK = k === 2 ? words.nextBit() === 0 : (k < 64 ? words.belowWithLimit(k, SMALL_LIMITS[k]!) : words.below(k)) === 0;
    if (!oneInK || words.belowWithLimit(denominator, limit) >= numerator) return (k & 1) as 0 | 1;
  }
}

// ---------------------------------------------------------------------------
// Comparing a uniform U with exp(−x) directly. Bernoulli(exp(−x)) is U < exp(−x)
// for U uniform on [0, 1); exp(−x) is irrational for rational x > 0, but U
// can be drawn lazily, 32 bits at a time, and compared with ever tighter
// rigorous bounds on exp(−x) until the answer is certain (von Neumann's and
// Knuth–Yao's lazy comparison). The fast path needs one word and a double
// approximation of exp(−x) with a proven error bound; the exact path
// below settles the rare words that fall inside that error.

/** ⌈x / 2^shift⌉ for x ≥ 0. */
function ceilShift(x: bigint, shift: bigint): bigint {
  return (x + (1n << shift) - 1n) >> shift;
}

/**
 * Fixed-point bounds on exp(−f) for 0 ≤ f = num/den ≤ 1 at scale 2^w:
 * [lo, hi] ∋ exp(−f)·2^w. The Taylor terms f^k/k!·2^w are formed by
 * repeated floor division, so term k is low by at most k units; the terms
 * do not increase, so once one rounds to 0 the rest of the alternating
 * series is below k units too.
 */
function expNegFractionFixed(num: bigint, den: bigint, w: bigint): [bigint, bigint] {
  const one = 1n << w;
  let sum = one;
  let term = one;
  let k = 0n;
  for (;;) {
    k++;
    term = (term * num) / (den * k);
    if (term === 0n) break;
    sum += k % 2n === 1n ? -term : term;
  }
  // Errors: Σ_{j<k} j from the truncated terms, plus ≤ k for the tail.
  const err = (k * (k + 1n)) / 2n + 1n;
  const lo = sum - err;
  return [lo < 0n ? 0n : lo, sum + err];
}

/**
 * Integers lo ≤ exp(−x)·2^bits ≤ hi for a rational x = num/den ≥ 0 and
 * bits ≥ 1; hi − lo is a few units. exp(−x) = exp(−1)^⌊x⌋ · exp(−frac x),
 * the power by squaring with each product rounded down for lo and up for hi,
 * all at 2^(bits + 64) so the roundings stay far below one unit of 2^bits.
 * @internal
 */
export function expNegFixedPoint(num: bigint, den: bigint, bits: number): [bigint, bigint] {
  if (den <= 0n || num < 0n || !Number.isSafeInteger(bits) || bits < 1) throw new RangeError(`expected x = num/den >= 0 and bits >= 1, got ${num}/${den}, ${bits}`);
  const guard = 64n;
  const w = BigInt(bits) + guard;
  const whole = num / den;
  // exp(−x) ≤ exp(−⌊x⌋) < 2^−⌊x⌋ ≤ 2^−bits.
  if (whole >= BigInt(bits)) return [0n, 1n];
  let [lo, hi] = expNegFractionFixed(num - whole * den, den, w);
  let [baseLo, baseHi] = expNegFractionFixed(1n, 1n, w); // exp(−1)
  for (let e = whole; e > 0n; e >>= 1n) {
    if (e & 1n) {
      lo = (lo * baseLo) >> w;
      hi = ceilShift(hi * baseHi, w);
    }
    if (e > 1n) {
      baseLo = (baseLo * baseLo) >> w;
      baseHi = ceilShift(baseHi * baseHi, w);
    }
  }
  return [lo >> guard, ceilShift(hi, guard)];
}

/**
 * A uniform U on [0, 1) of which the leading `bits` bits are `prefix`:
 * U = (prefix + U′)/2^bits with U′ uniform and not yet drawn.
 * @internal
 */
export class LazyUniform {
  private prefix: bigint;
  private bits: number;

  constructor(firstWord: number) {
    this.prefix = BigInt(firstWord);
    this.bits = 32;
  }

  /** Whether U < exp(−num/den), exactly: draws further words of U until the bounds on exp(−x) separate. */
  lessThanExp(words: RandomSource, num: bigint, den: bigint): boolean {
    if (num === 0n) return true; // exp(0) = 1 > U
    for (;;) {
      const precision = this.bits + 32;
      const [lo, hi] = expNegFixedPoint(num, den, precision);
      if ((this.prefix + 1n) << 32n <= lo) return true;
      if (this.prefix << 32n >= hi) return false;
      // exp(−x) is irrational for rational x > 0, so more bits always settle it.
      this.prefix = (this.prefix << 32n) | BigInt(words.nextUint32());
      this.bits += 32;
    }
  }
}

const EXP_POLY_DEGREE = 14;
/** 1/k! as doubles, k = 0…14 (k! is exact in a double up to 18!). */
const INVERSE_FACTORIALS = (() => {
  const out = new Float64Array(EXP_POLY_DEGREE + 1);
  let factorial = 1;
  for (let k = 0; k <= EXP_POLY_DEGREE; k++) {
    if (k > 0) factorial *= k;
    out[k] = 1 / factorial;
  }
  return out;
})();

/** exp(−g) for g = 0…39 as doubles within a relative 2^−52, built from `expNegFixedPoint` on first use. */
let expNegIntegers: Float64Array | undefined;
function expNegIntegerTable(): Float64Array {
  if (!expNegIntegers) {
    const table = new Float64Array(40);
    for (let g = 0; g < 40; g++) {
      // At 2^160, exp(−39) still has 100 bits: the bound's few units are far below 2^−52 relative.
      const [lo] = expNegFixedPoint(BigInt(g), 1n, 160);
      table[g] = Number(lo) * 2 ** -160;
    }
    expNegIntegers = table;
  }
  return expNegIntegers;
}

const TWO_32_NUMBER = 2 ** 32;
/**
 * The grid of `expGridTables`: exp(−i/64) for i = 0…23·64. Beyond x = 23,
 * exp(−x) < 2^−32, so any word but 0 already says U > exp(−x).
 */
export const EXP_GRID_STEPS_PER_UNIT = 64;
export const EXP_GRID_UNITS = 23;
export const EXP_GRID_END = EXP_GRID_UNITS * EXP_GRID_STEPS_PER_UNIT;

/** Integer bounds low[i] ≤ exp(−i/64)·2^32 ≤ high[i], i = 0…1472. */
export interface ExpGrid {
  readonly low: Float64Array;
  readonly high: Float64Array;
}

let expGrid: ExpGrid | undefined;

/**
 * The grid against which one word decides most coins U < exp(−x): for
 * lo ≤ x ≤ hi, w + 1 ≤ low[⌊64·hi⌋ + 1] means U < exp(−x), and
 * w ≥ high[⌊64·lo⌋] means U ≥ exp(−x); about 1% of words fall in between.
 * Built once (about a millisecond) from interval powers of exp(−1/64) at
 * 2^96, every product rounded outward: after 1472 steps the two ends are
 * some 2^12 units of 2^−96 apart, far below one unit of 2^−32.
 * @internal
 */
export function expGridTables(): ExpGrid {
  if (!expGrid) {
    const w = 96n;
    const drop = w - 32n;
    const [stepLo, stepHi] = expNegFixedPoint(1n, BigInt(EXP_GRID_STEPS_PER_UNIT), Number(w));
    const low = new Float64Array(EXP_GRID_END + 1);
    const high = new Float64Array(EXP_GRID_END + 1);
    let lo = 1n << w;
    let hi = 1n << w;
    for (let i = 0; i <= EXP_GRID_END; i++) {
      low[i] = Number(lo >> drop);
      high[i] = Number(ceilShift(hi, drop));
      lo = (lo * stepLo) >> w;
      hi = ceilShift(hi * stepHi, w);
    }
    expGrid = { low, high };
  }
  return expGrid;
}

/**
 * Decides U < exp(−x) from the first word w of U (U ∈ [w, w + 1)/2^32),
 * knowing only doubles 0 ≤ lo ≤ x ≤ hi: 1 if certainly below, 0 if
 * certainly not, −1 if the word cannot tell (the caller then asks a
 * `LazyUniform` with the exact x). For the words the grid leaves open.
 *
 * exp(−lo) ≈ exp(−⌊lo⌋)·P(lo − ⌊lo⌋), P the degree-14 Taylor polynomial of
 * exp(−f) by Horner. Relative error on f ∈ [0, 1): truncation ≤ e/15! <
 * 2^−38.8; Horner's rounding ≤ 28u·Σ|c_k|f^k·e ≤ 28u·e² < 2^−45 (u = 2^−53);
 * the coefficients' rounding u·e² < 2^−50; the table entry 2^−52 and the
 * product u. So exp(−lo)·(1 ± 2^−38) brackets the double, and the margins
 * below (2^−36, and exp(−δ) ≥ 1 − δ for δ = hi − lo ≤ 2^−20) cover that
 * plus the few roundings in forming the thresholds.
 * @internal
 */
export function wordBelowExpPolynomial(w: number, lo: number, hi: number): 1 | 0 | -1 {
  // exp(−40) < 2^−57: only w = 0 leaves any doubt.
  if (lo >= 40) return w === 0 ? -1 : 0;
  const delta = hi - lo;
  if (!(delta <= 2 ** -20)) return -1;
  const g = Math.floor(lo);
  const x = g - lo; // −f, exact
  let p = INVERSE_FACTORIALS[EXP_POLY_DEGREE]!;
  for (let k = EXP_POLY_DEGREE - 1; k >= 0; k--) p = p * x + INVERSE_FACTORIALS[k]!;
  const approx = expNegIntegerTable()[g]! * p;
  if (w + 1 <= approx * (1 - 2 ** -36) * (1 - delta) * TWO_32_NUMBER) return 1;
  if (w >= approx * (1 + 2 ** -36) * TWO_32_NUMBER) return 0;
  return -1;
}
