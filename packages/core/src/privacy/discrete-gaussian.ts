/**
 * Exact sampler of the discrete Gaussian N_ℤ(0, σ²), P(x) ∝ exp(−x²/(2σ²))
 * on ℤ, after Canonne, Kamath, Steinke, "The Discrete Gaussian for
 * Differential Privacy" (NeurIPS 2020), §5.3, Algorithm 3.
 *
 * CKS propose a discrete Laplace Y with scale t = ⌊σ⌋ + 1, drawn as
 * |Y| = U + tV (U uniform below t, kept with probability exp(−U/t); V
 * geometric, P(V ≥ v) = exp(−v)), and keep Y with probability
 * exp(−(|Y| − σ²/t)²/(2σ²)). Merging the two acceptance steps gives the
 * same distribution with one coin per proposal: with m = u + tV, u uniform
 * below t and P(V ≥ v) = exp(−λv), keep ±m with probability exp(−x),
 *   x = m²/(2σ²) − λV + K,   K = max over v ≥ 0 of (λv − t²v²/(2σ²)),
 * so the kept m has P(m) ∝ exp(−λV)·exp(−x) ∝ exp(−m²/(2σ²)); K makes x ≥ 0.
 * (With λ = 1 and t = ⌊σ⌋ + 1, x = U/t + (m − σ²/t)²/(2σ²), CKS's two
 * exponents added.) Narrower buckets with a slower geometric, t = ⌊λσ⌋ + 1
 * and λ down to 1/8 (`bucketShift`), keep ≈ 71% of proposals for large σ,
 * against ≈ 48% for CKS's choice.
 *
 * Every coin is exact. The coin "U < exp(−x)" for a uniform U is decided
 * from U's first 32-bit word and doubles lo ≤ x ≤ hi with a proven error
 * bound (IEEE 754 round-to-nearest, which ECMAScript prescribes for Number
 * arithmetic; derivation at `boundExponent`): against a table of integer
 * bounds on exp(−i/64)·2^32 (`expGridTables`), or for the ≈ 1% of words
 * between two grid points against a polynomial with its own proven bound
 * (`wordBelowExpPolynomial`). When the word falls within that error — about
 * 2^−31 of the time — the exact rational x and a lazily drawn U decide with
 * bigint arithmetic (`LazyUniform`). The doubles only choose how an exact
 * comparison is made, never its outcome (the floating-point filter of exact
 * geometric predicates, Shewchuk 1997). The bucket V is one word against
 * exact integer thresholds ⌊exp(−λv)·2^32⌋, ties again settled lazily.
 * Other integers stay below 2^53, where doubles are exact.
 *
 * σ² < 2^−32 and σ ≥ 2^35 fall back to CKS's algorithm on bigints.
 */
import type { RandomSource } from '../random/random-source.js';
import { sampleDiscreteLaplace } from './discrete-laplace.js';
import { bernoulliExp, EXP_GRID_END, EXP_GRID_STEPS_PER_UNIT, EXP_GRID_UNITS, expGridTables, expNegFixedPoint, LazyUniform, wordBelowExpPolynomial } from './exact-bernoulli.js';
import { floorSqrtRational, rationalFromNumber, rationalToNumber, type Rational } from './rational.js';
import { rejectionLimit } from '../random/uniform-integer.js';
import { WordPool } from '../random/word-pool.js';

/** σ² as an exact rational, or as a double (converted exactly: see `rationalFromNumber`). */
export type VarianceInput = Rational | number;

/** The Number path needs σ² ≥ 2^−32 (so no intermediate underflows) and t ≤ 2^32. */
const MIN_NUMBER_VARIANCE_SHIFT = 32n;
/** Words drawn from the source per refill (a draw takes about 5). */
const POOL_BLOCK_WORDS = 8192;

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

/** Largest bucket width of the Number path (one word draws the offset in the bucket). */
const MAX_NUMBER_BUCKET = 2 ** 32;
/** The geometric bucket index beyond which m = u + t·V could leave the exact integers (probability e^−(2^19)). */
const MAX_BUCKET_INDEX = 2 ** 20;

/**
 * Per-σ² constants of the Number path (see `gaussianConstants`).
 * @internal
 */
export interface GaussianConstants {
  /** Bucket width t ≥ 1 and its rejection limit for one-word uniform draws. */
  readonly t: number;
  readonly tLimit: number;
  /** λ = 2^−lambdaShift: P(V ≥ v) = exp(−λv). */
  readonly lambdaShift: number;
  readonly lambda: number;
  /** ⌊exp(−λ(i + 1))·2^32⌋ for i = 0, 1, …, ending with the first 0. */
  readonly thresholds: Float64Array;
  /** ≈ 1/(2σ²) and ≈ K, each within a relative 2^−51 (checked exactly on creation). */
  readonly h: number;
  readonly kappa: number;
  /** `expGridTables()`, held here for the hot loop. */
  readonly gridLow: Float64Array;
  readonly gridHigh: Float64Array;
  /** In [1, 2^600]: widens the error bound (only tests set it, to drive the exact fallbacks; 2^600 sends every undecided coin there). */
  readonly errorScale: number;
  /** σ² = n/d and K = kNumerator/kDenominator exactly, for the exact fallbacks. */
  readonly n: bigint;
  readonly d: bigint;
  readonly kNumerator: bigint;
  readonly kDenominator: bigint;
  /** Scratch for `boundExponent`'s [lo, hi], so the hot loop allocates nothing. */
  readonly bounds: Float64Array;
}

/** Whether |x − num/den| ≤ x·2^−51, decided exactly (x > 0 a double, num/den > 0). */
function withinRelative51(x: number, num: bigint, den: bigint): boolean {
  const { numerator: a, denominator: b } = rationalFromNumber(x);
  const gap = a * den - num * b;
  return (gap < 0n ? -gap : gap) << 51n <= a * den;
}

const thresholdTables = new Map<number, Float64Array>();

/**
 * ⌊exp(−λ(i + 1))·2^32⌋ for λ = 2^−shift and i = 0, 1, … up to and including
 * the first 0, exactly: interval powers of exp(−λ) at 2^128 with outward
 * rounding, each floor taken only where both ends of its interval agree.
 */
function geometricThresholds(shift: number): Float64Array {
  let table = thresholdTables.get(shift);
  if (!table) {
    const w = 128n;
    const drop = w - 32n;
    const den = 1n << BigInt(shift);
    const [stepLo, stepHi] = expNegFixedPoint(1n, den, Number(w));
    const values: number[] = [];
    let lo = 1n << w;
    let hi = 1n << w;
    for (let i = 1n; values.at(-1) !== 0; i++) {
      lo = (lo * stepLo) >> w;
      hi = (hi * stepHi + (1n << w) - 1n) >> w;
      if (lo >> drop === hi >> drop) {
        values.push(Number(lo >> drop));
      } else {
        // Never seen: an exp(−λi)·2^32 within 2^−90 of an integer. Settle it directly.
        for (let bits = 160; ; bits += 64) {
          const [a, b] = expNegFixedPoint(i, den, bits);
          const cut = BigInt(bits - 32);
          if (a >> cut === b >> cut) {
            values.push(Number(a >> cut));
            break;
          }
        }
      }
    }
    table = Float64Array.from(values);
    thresholdTables.set(shift, table);
  }
  return table;
}

/**
 * λ = 2^−shift by σ², with bucket width t = ⌊λσ⌋ + 1: the choice with the
 * highest acceptance among λ ∈ {1, 1/2, 1/4, 1/8} over most of each range
 * (computed from the exact proposal and target pmfs): σ² < 1: λ = 1 (CKS's
 * t = 1); σ² < 6: 1/2; σ² < 400: 1/4; beyond, 1/8, which keeps ≈ 71% of
 * proposals (CKS's t = ⌊σ⌋ + 1, λ = 1 keeps ≈ 48%) for a few more
 * threshold comparisons per bucket draw.
 */
function bucketShift(n: bigint, d: bigint): number {
  if (n < d) return 0;
  if (n < 6n * d) return 1;
  if (n < 400n * d) return 2;
  return 3;
}

/**
 * The Number path's constants for σ² = n/d, or undefined where it does not
 * apply (σ² < 2^−32 or a bucket wider than 2^32; the bigint algorithm then
 * runs instead). See the file comment for the sampler they drive.
 * @internal
 */
export function gaussianConstants(variance: Rational, errorScale = 1): GaussianConstants | undefined {
  const { numerator: n, denominator: d } = variance;
  if (n === 0n || n << MIN_NUMBER_VARIANCE_SHIFT < d) return undefined;
  if (!(errorScale >= 1 && errorScale <= 2 ** 600)) throw new RangeError(`expected 1 <= errorScale <= 2^600, got ${errorScale}`);
  const lambdaShift = bucketShift(n, d);
  const shift = BigInt(lambdaShift);
  // t = ⌊√(σ²·λ²)⌋ + 1 = ⌊λσ⌋ + 1.
  const tBig = floorSqrtRational({ numerator: n, denominator: d << (2n * shift) }) + 1n;
  if (tBig > BigInt(MAX_NUMBER_BUCKET)) return undefined;
  // K = max over v ≥ 0 of λv − t²v²/(2σ²) = (2nv − t²v²·d·2^shift)/(2n·2^shift),
  // a concave quadratic in v with its vertex at v* = λσ²/t²: the max is at ⌊v*⌋ or ⌊v*⌋ + 1.
  const kDenominator = (2n * n) << shift;
  const vStar = n / ((tBig * tBig * d) << shift);
  let kNumerator = 0n;
  for (const v of [vStar, vStar + 1n]) {
    const value = 2n * n * v - ((tBig * tBig * v * v * d) << shift);
    if (value > kNumerator) kNumerator = value;
  }
  const h = rationalToNumber({ numerator: d, denominator: 2n * n });
  const kappa = kNumerator === 0n ? 0 : rationalToNumber({ numerator: kNumerator, denominator: kDenominator });
  // rationalToNumber is accurate to about an ulp; the checks make the bounds facts.
  if (!withinRelative51(h, d, 2n * n) || (kNumerator !== 0n && !withinRelative51(kappa, kNumerator, kDenominator))) return undefined;
  const t = Number(tBig);
  const grid = expGridTables();
  return {
    t,
    tLimit: rejectionLimit(t),
    lambdaShift,
    lambda: 2 ** -lambdaShift,
    thresholds: geometricThresholds(lambdaShift),
    h,
    kappa,
    gridLow: grid.low,
    gridHigh: grid.high,
    errorScale,
    n,
    d,
    kNumerator,
    kDenominator,
    bounds: new Float64Array(2),
  };
}

/**
 * Writes lo ≤ x ≤ hi to `k.bounds` for the acceptance exponent
 * x = m²/(2σ²) − λV + K of the proposal m = u + tV (integers, m < 2^53).
 *
 * Error bound, with u = 2^−53 and fl(a ∘ b) = (a ∘ b)(1 + ε), |ε| ≤ u (no
 * underflow or overflow: 2^−32 ≤ σ² < 2^70 and m < 2^53 keep every nonzero
 * value here between 2^−120 and 2^140), h̃ and K̃ within a relative 2^−51:
 *   p = fl(fl(m·m)·h̃):   |p − m²h| ≤ m²h̃(2u + u² + 2^−51) ≤ p·2^−50
 *   fl(p − λV) (λV is exact): error ≤ u(p + λV)
 *   x̃ = fl(· + K̃):         error ≤ u|x̃|(1 + 2u), and |K̃ − K| ≤ K̃·2^−51
 *   |x̃ − x| ≤ p·2^−50 + (p + λV + K̃ + |x̃|)·2^−51.
 * `err` is 4·(p·2^−49 + (p + λV + K̃ + |x̃|)·2^−52): at least twice that
 * after its own few roundings, and at least 2^−50·|x̃|, above the u·|x̃|
 * by which forming x̃ ± err can round. So lo ≤ x ≤ hi (and x ≥ 0).
 * @internal
 */
export function boundExponent(k: GaussianConstants, m: number, v: number): void {
  const p = m * m * k.h;
  const lv = v * k.lambda;
  const x = p - lv + k.kappa;
  const err = k.errorScale * 4 * (p * 2 ** -49 + (p + lv + k.kappa + Math.abs(x)) * 2 ** -52);
  k.bounds[0] = Math.max(0, x - err);
  k.bounds[1] = x + err;
}

/** The acceptance exponent m²/(2σ²) − λV + K as an exact rational [numerator, denominator]. */
function exactExponent(k: GaussianConstants, m: number, v: number): [bigint, bigint] {
  const shift = BigInt(k.lambdaShift);
  const mm = BigInt(m) * BigInt(m);
  const twoN = 2n * k.n;
  const numerator = ((mm * k.d * k.kDenominator) << shift) - BigInt(v) * twoN * k.kDenominator + ((twoN * k.kNumerator) << shift);
  return [numerator, (twoN * k.kDenominator) << shift];
}

// The three steps of a proposal. Each reads its words from the pool's block
// itself and returns a small integer, so nothing is boxed between them.

/** The offset u in the bucket: uniform below t. */
function bucketOffset(pool: WordPool, k: GaussianConstants): number {
  return k.t === 1 ? 0 : pool.belowWithLimit(k.t, k.tLimit);
}

/**
 * The bucket V ≥ 0, P(V ≥ v) = exp(−λv): one word against the thresholds, exactly.
 * @internal
 */
export function bucketIndex(pool: WordPool, k: GaussianConstants): number {
  if (pool.next === pool.words.length) pool.refill();
  const w = pool.words[pool.next++]!;
  const thresholds = k.thresholds;
  let v = 0;
  // w < ⌊e·2^32⌋ means U < e; w > ⌊e·2^32⌋ means U > e; the table ends with a 0.
  while (w < thresholds[v]!) v++;
  return w === thresholds[v] ? bucketIndexExact(pool, k, w, v) : v;
}

/** `bucketIndex` when w = ⌊exp(−λ(v + 1))·2^32⌋: U decides, drawn further as needed. */
function bucketIndexExact(pool: WordPool, k: GaussianConstants, w: number, v: number): number {
  const u = new LazyUniform(w);
  const den = 1n << BigInt(k.lambdaShift);
  while (u.lessThanExp(pool, BigInt(v + 1), den)) {
    if (++v === MAX_BUCKET_INDEX) throw new RangeError('discrete Gaussian proposal too large for exact Number arithmetic');
  }
  return v;
}

/**
 * Bernoulli(exp(−x)) for the exponent x of the proposal (m, V): one word
 * against the grid (`expGridTables`), then the polynomial for the ≈ 1% of
 * words between two grid points, then, about 2^−31 of the time, the exact
 * rational x with a lazily drawn uniform.
 * @internal
 */
export function acceptanceCoin(pool: WordPool, k: GaussianConstants, m: number, v: number): 0 | 1 {
  boundExponent(k, m, v);
  const lo = k.bounds[0]!;
  const hi = k.bounds[1]!;
  if (pool.next === pool.words.length) pool.refill();
  const w = pool.words[pool.next++]!;
  if (lo < EXP_GRID_UNITS) {
    const above = Math.floor(hi * EXP_GRID_STEPS_PER_UNIT) + 1; // 64·hi is exact
    if (above <= EXP_GRID_END && w + 1 <= k.gridLow[above]!) return 1;
    if (w >= k.gridHigh[Math.floor(lo * EXP_GRID_STEPS_PER_UNIT)]!) return 0;
  } else if (w !== 0) {
    return 0; // exp(−23) < 2^−32 ≤ U
  }
  return acceptanceCoinSlow(pool, k, m, v, w);
}

function acceptanceCoinSlow(pool: WordPool, k: GaussianConstants, m: number, v: number, w: number): 0 | 1 {
  const decided = wordBelowExpPolynomial(w, k.bounds[0]!, k.bounds[1]!);
  if (decided !== -1) return decided;
  const [numerator, denominator] = exactExponent(k, m, v);
  return new LazyUniform(w).lessThanExp(pool, numerator, denominator) ? 1 : 0;
}

/** One draw on the Number path. */
function sampleNumber(pool: WordPool, k: GaussianConstants): number {
  for (;;) {
    const u = bucketOffset(pool, k);
    const v = bucketIndex(pool, k);
    const m = u + k.t * v;
    if (acceptanceCoin(pool, k, m, v) === 0) continue;
    const negative = pool.nextBit();
    if (negative === 1 && m === 0) continue; // 0 would otherwise be proposed twice as often
    return negative === 1 ? -m : m;
  }
}

/** A sampler bound to one σ², with the per-σ² constants computed once. */
export interface DiscreteGaussianSampler {
  /** The variance parameter σ² (exact). Note: the variance of N_ℤ(0, σ²) is slightly below σ² (CKS Prop. 5). */
  readonly sigmaSquared: Rational;
  /** One draw. */
  sample(random: RandomSource): bigint;
  /** Fills `out` with independent draws; throws if one does not fit in an int32 (only for σ ≳ 10^8). */
  fill(random: RandomSource, out: Int32Array): Int32Array;
}

function int32Overflow(bits: number): RangeError {
  return new RangeError(`expected a discrete Gaussian draw to fit in an int32, got one of ${bits} bits`);
}

/** @internal `errorScale` > 1 only widens the floating-point filter (for tests of the exact fallbacks). */
export function createSamplerWithErrorScale(sigmaSquared: VarianceInput, errorScale: number): DiscreteGaussianSampler {
  const variance = toVariance(sigmaSquared);
  const { numerator: n, denominator: d } = variance;
  const fast = gaussianConstants(variance, errorScale);
  // The bigint algorithm, for σ² outside the Number path's range.
  const t = floorSqrtRational(variance) + 1n;
  const gammaDenominator = 2n * t * t * n * d;
  const td = t * d;
  const sampleBig = (random: RandomSource): bigint => {
    if (n === 0n) return 0n; // σ = 0: no noise.
    for (;;) {
      const y = sampleDiscreteLaplace(random, t);
      const offset = (y < 0n ? -y : y) * td - n;
      if (bernoulliExp(random, { numerator: offset * offset, denominator: gammaDenominator }) === 1) return y;
    }
  };
  return {
    sigmaSquared: variance,
    sample(random) {
      return fast ? BigInt(sampleNumber(new WordPool(random, 16), fast)) : sampleBig(random);
    },
    fill(random, out) {
      if (fast) {
        const words = new WordPool(random, Math.min(POOL_BLOCK_WORDS, 16 * out.length + 16));
        for (let i = 0; i < out.length; i++) {
          const z = sampleNumber(words, fast);
          if (z > 2147483647 || z < -2147483648) throw int32Overflow(Math.abs(z).toString(2).length);
          out[i] = z;
        }
        return out;
      }
      for (let i = 0; i < out.length; i++) {
        const z = sampleBig(random);
        if (z > 2147483647n || z < -2147483648n) throw int32Overflow((z < 0n ? -z : z).toString(2).length);
        out[i] = Number(z);
      }
      return out;
    },
  };
}

export function createDiscreteGaussianSampler(sigmaSquared: VarianceInput): DiscreteGaussianSampler {
  return createSamplerWithErrorScale(sigmaSquared, 1);
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
