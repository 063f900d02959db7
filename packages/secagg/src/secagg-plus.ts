/**
 * The arithmetic both sides of SecAgg+ must agree on, in one place (Bonawitz
 * et al. CCS 2017 §4; Bell et al. CCS 2020 §4): the sign rule of pairwise
 * masks, modular vector addition, the byte layout of masked inputs and of an
 * encrypted share pair. The state machines are in secagg-client.ts and
 * secagg-server.ts.
 *
 * Masking: client u sends
 *   y_u = x_u + PRG(b_u) + Σ_{v ∈ N(u) ∩ U₂} sign(u, v) · PRG(s_{u,v})  (mod 2^32)
 * with sign(u, v) = +1 if u < v, −1 if u > v, so the pairwise masks of two
 * surviving neighbours cancel in the sum; the server removes the self masks
 * PRG(b_u) of survivors, and the pairwise masks that survivors added for
 * neighbours that dropped, from reconstructed secrets.
 */
import { HOST_IS_LITTLE_ENDIAN } from '@fedrec/core/format';
import type { SecAggCrypto } from './secagg-crypto.js';
import { SECAGG_SHARE_BYTES, SECAGG_SHARE_PLAINTEXT_BYTES } from './secagg-messages.js';
import { SecAggError } from './secagg-error.js';

/** +1 if `self` < `other`, else −1: the sign with which `self` adds its pairwise mask with `other`. */
export function maskSign(self: number, other: number): 1 | -1 {
  return self < other ? 1 : -1;
}

/** target += sign · mask (mod 2^32), in place; Uint32Array stores results mod 2^32, negatives included. */
export function addMod32(target: Uint32Array, mask: Uint32Array, sign: 1 | -1): void {
  if (target.length !== mask.length) throw new RangeError(`expected vectors of equal length, got ${target.length} and ${mask.length}`);
  if (sign === 1) for (let i = 0; i < target.length; i++) target[i] = target[i]! + mask[i]!;
  else for (let i = 0; i < target.length; i++) target[i] = target[i]! - mask[i]!;
}

/**
 * target += Σ sign_i · PRG(seed_i) (mod 2^32). The expansions run `batch` at
 * a time: WebCrypto works off the main thread, so several in flight overlap,
 * while the batch bounds the memory held (batch × 4 bytes × length).
 */
export async function addExpandedMasks(
  target: Uint32Array,
  masks: readonly { readonly seed: Uint8Array; readonly sign: 1 | -1 }[],
  primitives: SecAggCrypto,
  batch = 8,
): Promise<void> {
  for (let start = 0; start < masks.length; start += batch) {
    const slice = masks.slice(start, start + batch);
    const expanded = await Promise.all(slice.map(({ seed }) => primitives.expandMask(seed, target.length)));
    expanded.forEach((mask, i) => addMod32(target, mask, slice[i]!.sign));
  }
}

/** uint32 words to little-endian bytes (the wire form of a masked input), in a fresh buffer. */
export function wordsToBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  if (HOST_IS_LITTLE_ENDIAN) {
    out.set(new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
    return out;
  }
  const view = new DataView(out.buffer);
  for (let i = 0; i < words.length; i++) view.setUint32(4 * i, words[i]!, true);
  return out;
}

/** Little-endian bytes to uint32 words in a fresh array; the length must be a multiple of 4. */
export function bytesToWords(bytes: Uint8Array): Uint32Array {
  if (bytes.length % 4 !== 0) throw new RangeError(`expected a multiple of 4 bytes, got ${bytes.length}`);
  const out = new Uint32Array(bytes.length / 4);
  if (HOST_IS_LITTLE_ENDIAN) {
    // A byte copy into the fresh, aligned array: the input may be an unaligned
    // view into a message, or a Node Buffer (whose slice() is a view, not a copy).
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(4 * i, true);
  return out;
}

export interface SharePair {
  /** The holder's share of the owner's self-mask seed b_u. */
  readonly selfMaskShare: Uint8Array;
  /** The holder's share of the owner's mask secret key s_u^SK. */
  readonly maskKeyShare: Uint8Array;
}

/** The plaintext sealed for one neighbour: self-mask share ‖ mask-key share. */
export function encodeSharePair(pair: SharePair): Uint8Array {
  const out = new Uint8Array(SECAGG_SHARE_PLAINTEXT_BYTES);
  out.set(pair.selfMaskShare, 0);
  out.set(pair.maskKeyShare, SECAGG_SHARE_BYTES);
  return out;
}

export function decodeSharePair(plaintext: Uint8Array): SharePair {
  if (plaintext.length !== SECAGG_SHARE_PLAINTEXT_BYTES) {
    throw new SecAggError('MALFORMED_SHARE', `expected a ${SECAGG_SHARE_PLAINTEXT_BYTES}-byte share pair, got ${plaintext.length} bytes`);
  }
  return { selfMaskShare: plaintext.slice(0, SECAGG_SHARE_BYTES), maskKeyShare: plaintext.slice(SECAGG_SHARE_BYTES) };
}
