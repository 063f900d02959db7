/**
 * From float updates to integers that can be summed mod 2^32 without
 * wrap-around, and back (Kairouz, Liu, Steinke ICML 2021, §4: scaling,
 * randomised rounding, modular clipping; Bonawitz et al. CCS 2017 §3:
 * inputs in ℤ_R).
 *
 * Units: `granularity` γ is the float value of one integer step; a value x
 * becomes round(x/γ). Rounding is unbiased (P(round up) = fractional part),
 * so the decoded sum is an unbiased estimate of the float sum.
 *
 * Wrap-around: if every client's integer vector has |v_i| ≤ B per
 * coordinate, the true sum of n of them lies in [−nB, nB]; when
 * n·B < modulus/2 its residue mod the modulus identifies it uniquely (the
 * centred lift in `decodeSum`), so the modular sum decodes exactly.
 * `coordinateBound` gives a B for clipped, scaled, rounded and noised
 * vectors; `assertNoWrapAround` refuses parameters for which n·B ≥ modulus/2;
 * `toModular` refuses any coordinate above B, so the guarantee cannot be
 * broken by one unlucky value.
 */
import type { RandomSource } from '@fedrec/core/random';
import { SecAggError } from './secagg-error.js';

/** The SecAgg modulus: masks and sums are uint32 words. */
export const DEFAULT_MODULUS = 2 ** 32;
const INT32_MAX = 2 ** 31 - 1;

function assertGranularity(granularity: number): void {
  if (typeof granularity !== 'number') throw new TypeError(`expected granularity to be a number, got ${typeof granularity}`);
  if (!(granularity > 0 && Number.isFinite(granularity))) throw new RangeError(`expected granularity to be finite and > 0, got ${granularity}`);
}

/** Moduli are powers of two up to 2^32, so that a sum mod 2^32 reduces to a sum mod the modulus. */
function assertModulus(modulus: number): void {
  if (typeof modulus !== 'number') throw new TypeError(`expected modulus to be a number, got ${typeof modulus}`);
  if (!Number.isSafeInteger(modulus) || modulus < 2 || modulus > DEFAULT_MODULUS || !Number.isInteger(Math.log2(modulus))) {
    throw new RangeError(`expected modulus to be a power of two in [2, 2^32], got ${modulus}`);
  }
}

/** Coordinates per bulk draw of rounding uniforms (64 KiB of words). */
const QUANTISE_BLOCK = 8192;

/**
 * round(x/γ) per coordinate with unbiased randomised rounding: ⌊x/γ⌋ + 1 with
 * probability frac(x/γ) (up to the 2^-53 resolution of `nextFloat`).
 *
 * @example
 * const ints = quantise(clippedDelta, 1e-4, createCryptoRandomSource());
 */
export function quantise(values: ArrayLike<number>, granularity: number, random: RandomSource): Int32Array {
  assertGranularity(granularity);
  const out = new Int32Array(values.length);
  // Uniforms in bulk (one fillUint32 per block, not two calls per coordinate):
  // 53-bit floats built exactly as RandomSource.nextFloat builds them.
  const words = new Uint32Array(2 * Math.min(values.length, QUANTISE_BLOCK));
  for (let start = 0; start < values.length; start += QUANTISE_BLOCK) {
    const end = Math.min(values.length, start + QUANTISE_BLOCK);
    const block = words.subarray(0, 2 * (end - start));
    random.fillUint32(block);
    for (let i = start, w = 0; i < end; i++, w += 2) {
      const scaled = (values[i] as number) / granularity;
      if (!Number.isFinite(scaled) || Math.abs(scaled) >= INT32_MAX) {
        throw new SecAggError('OUT_OF_RANGE', `expected |value / granularity| < 2^31 at index ${i}`);
      }
      const floor = Math.floor(scaled);
      const uniform = ((block[w]! >>> 5) * 67108864 + (block[w + 1]! >>> 6)) / 9007199254740992;
      out[i] = floor + (uniform < scaled - floor ? 1 : 0);
    }
  }
  return out;
}

export interface CoordinateBoundOptions {
  /** C: the L2 clipping norm of each client's float vector (so every coordinate is within ±C). */
  readonly clipNorm: number;
  /** γ: float value of one integer step. */
  readonly granularity: number;
  /** σ of each client's discrete Gaussian noise, in integer units (0 for none). */
  readonly noiseSigma?: number;
  /**
   * How many σ of noise to allow. Default 14: a discrete Gaussian exceeds 14σ
   * with probability below 2·exp(−98) ≈ 10^-42 per coordinate (its tails are
   * sub-Gaussian with parameter σ, Canonne et al. 2020), and `toModular` throws rather
   * than wrap if it ever does.
   */
  readonly tailSigmas?: number;
}

/**
 * B such that a clipped, scaled, rounded and noised coordinate is within ±B:
 * ⌈C/γ⌉ (rounding never leaves [⌊x⌋, ⌈x⌉]) plus ⌈tailSigmas·σ⌉.
 */
export function coordinateBound(options: CoordinateBoundOptions): number {
  const { clipNorm, granularity, noiseSigma = 0, tailSigmas = 14 } = options;
  assertGranularity(granularity);
  for (const [name, v] of [['clipNorm', clipNorm], ['noiseSigma', noiseSigma], ['tailSigmas', tailSigmas]] as const) {
    if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`expected ${name} to be finite and >= 0, got ${v}`);
  }
  return Math.ceil(clipNorm / granularity) + Math.ceil(tailSigmas * noiseSigma);
}

/**
 * Throws SecAggError WRAP_AROUND unless n·B < modulus/2, the condition for the
 * modular sum of n vectors bounded by B to decode exactly.
 */
export function assertNoWrapAround(clients: number, bound: number, modulus: number = DEFAULT_MODULUS): void {
  if (!Number.isSafeInteger(clients) || clients < 1) throw new RangeError(`expected clients to be a positive integer, got ${clients}`);
  if (!Number.isSafeInteger(bound) || bound < 0) throw new RangeError(`expected bound to be a non-negative integer, got ${bound}`);
  assertModulus(modulus);
  if (clients * bound >= modulus / 2) {
    throw new SecAggError('WRAP_AROUND', `expected clients · bound < modulus / 2, got ${clients} · ${bound} >= ${modulus / 2}: lower the bound (coarser granularity, smaller clip) or use fewer clients`);
  }
}

/** Adds `noise` to `values` in place (e.g. a client's discrete Gaussian share), refusing int32 overflow. */
export function addIntegerNoise(values: Int32Array, noise: Int32Array): Int32Array {
  if (values.length !== noise.length) throw new RangeError(`expected noise of length ${values.length}, got ${noise.length}`);
  for (let i = 0; i < values.length; i++) {
    const sum = values[i]! + noise[i]!;
    if (Math.abs(sum) > INT32_MAX) throw new SecAggError('OUT_OF_RANGE', `expected the noised value at index ${i} to fit in an int32`);
    values[i] = sum;
  }
  return values;
}

/**
 * Signed integers to their residues mod 2^32 (the SecAgg input), after
 * checking |v| ≤ bound for every coordinate: the bound the wrap-around check
 * was made for must actually hold, or the decoded sum could be silently wrong.
 */
export function toModular(values: Int32Array, bound: number): Uint32Array {
  if (!Number.isSafeInteger(bound) || bound < 0) throw new RangeError(`expected bound to be a non-negative integer, got ${bound}`);
  const out = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > bound || v < -bound) throw new SecAggError('OUT_OF_RANGE', `expected |value| <= ${bound} at index ${i}`);
    out[i] = v; // Uint32Array stores v mod 2^32.
  }
  return out;
}

export interface DecodedSum {
  /** The sum as signed integers: the residue lifted into [−modulus/2, modulus/2). */
  readonly integers: Float64Array;
  /** integers · γ: the float sum. */
  readonly values: Float64Array;
}

/**
 * The modular sum (as SecAgg outputs it, mod 2^32) back to signed integers
 * and floats. With a smaller power-of-two modulus the sum is first reduced
 * mod it, which is consistent because the modulus divides 2^32.
 */
export function decodeSum(sum: Uint32Array, granularity: number, modulus: number = DEFAULT_MODULUS): DecodedSum {
  assertGranularity(granularity);
  assertModulus(modulus);
  const integers = new Float64Array(sum.length);
  const values = new Float64Array(sum.length);
  const half = modulus / 2;
  for (let i = 0; i < sum.length; i++) {
    const residue = sum[i]! % modulus;
    const signed = residue >= half ? residue - modulus : residue;
    integers[i] = signed;
    values[i] = signed * granularity;
  }
  return { integers, values };
}
