/**
 * The mask PRG of SecAgg (Bonawitz et al. CCS 2017, §4: PRG(s) expands a
 * seed into a vector in ℤ_R^m): the ChaCha20 keystream (RFC 8439, via
 * @noble/ciphers) under the 32-byte seed, read as little-endian uint32 words.
 * One call produces the whole vector (ChaCha20 with a 32-bit block counter
 * covers 2^32 blocks of 16 words, far beyond any model).
 *
 * The nonce is fixed at zero: every seed is used for one vector only (self
 * masks are fresh per round; pairwise seeds are derived per round and pair
 * in key-agreement.ts), which is the condition for a fixed nonce to be safe.
 */
import { chacha20 } from '@noble/ciphers/chacha.js';

export const MASK_SEED_BYTES = 32;
const ZERO_NONCE = new Uint8Array(12);
const MAX_WORDS = 2 ** 30;

// ChaCha20's keystream is defined as bytes; words are read little-endian so
// that every platform expands a seed to the same vector.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * `length` pseudorandom uint32 words from `seed`, written into `out` when it
 * is given (a scratch buffer reused across neighbours) or a new array.
 *
 * @example
 * const mask = expandMask(seed, update.length);
 */
export function expandMask(seed: Uint8Array, length: number, out?: Uint32Array): Uint32Array {
  if (!(seed instanceof Uint8Array) || seed.length !== MASK_SEED_BYTES) throw new RangeError(`expected a ${MASK_SEED_BYTES}-byte seed`);
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_WORDS) throw new RangeError(`expected length in [0, 2^30], got ${length}`);
  if (out !== undefined && out.length !== length) throw new RangeError(`expected out to hold ${length} words, got ${out.length}`);
  const words = out ?? new Uint32Array(length);
  words.fill(0);
  if (length === 0) return words;
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  // XOR of the keystream into zeros is the keystream.
  chacha20(seed, ZERO_NONCE, bytes, bytes);
  if (!LITTLE_ENDIAN) {
    const view = new DataView(words.buffer, words.byteOffset, words.byteLength);
    for (let i = 0; i < length; i++) words[i] = view.getUint32(4 * i, true);
  }
  return words;
}
