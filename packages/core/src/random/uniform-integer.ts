import type { RandomSource } from './random-source.js';

/**
 * Exactly uniform integers and bytes from a `RandomSource`'s 32-bit words.
 *
 * `nextInt` in random-source.ts takes a float shortcut (bias below 2^-27) that
 * is fine for sampling negatives but not here: the discrete Gaussian is exact
 * only if every coin it flips is exact (Canonne, Kamath, Steinke 2020, §5.1),
 * and Shamir coefficients must be uniform in the field.
 */

const TWO_32 = 2 ** 32;

/** Uniform integer in [0, n) for a number 1 ≤ n ≤ 2^32, by rejection (no modulo bias). */
export function uniformBelowNumber(random: RandomSource, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > TWO_32) throw new RangeError(`expected 1 <= n <= 2^32, got ${n}`);
  // Accept words below the largest multiple of n that fits in 2^32.
  const limit = TWO_32 - (TWO_32 % n);
  for (;;) {
    const word = random.nextUint32();
    if (word < limit) return word % n;
  }
}

/** Uniform bigint in [0, n) for any n ≥ 1: draw bitLength(n − 1) bits, reject if ≥ n (expected < 2 draws). */
export function uniformBelow(random: RandomSource, n: bigint): bigint {
  if (n < 1n) throw new RangeError(`expected n >= 1, got ${n}`);
  if (n <= BigInt(TWO_32)) return BigInt(uniformBelowNumber(random, Number(n)));
  const bits = (n - 1n).toString(2).length;
  const words = Math.ceil(bits / 32);
  const topMask = (1n << BigInt(bits - 32 * (words - 1))) - 1n;
  const buffer = new Uint32Array(words);
  for (;;) {
    random.fillUint32(buffer);
    let value = BigInt(buffer[0]!) & topMask;
    for (let i = 1; i < words; i++) value = (value << 32n) | BigInt(buffer[i]!);
    if (value < n) return value;
  }
}

/** 2^32 − (2^32 mod n): words below it fall evenly into the n residues (1 ≤ n ≤ 2^32). */
export function rejectionLimit(n: number): number {
  return TWO_32 - (TWO_32 % n);
}

/** `length` uniform bytes (for keys, seeds and nonces). */
export function randomBytes(random: RandomSource, length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`expected length to be a non-negative integer, got ${length}`);
  const words = new Uint32Array(Math.ceil(length / 4));
  random.fillUint32(words);
  // Every byte of a uniform word is uniform, whatever the host's byte order.
  return new Uint8Array(words.buffer, 0, length).slice();
}
