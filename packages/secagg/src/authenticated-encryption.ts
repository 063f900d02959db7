/**
 * Authenticated encryption of shares between clients (Bonawitz et al. CCS
 * 2017, §4: AE.enc / AE.dec), relayed by an untrusted server.
 *
 * XChaCha20-Poly1305 (@noble/ciphers) with a random 24-byte nonce carried in
 * front of the ciphertext: the keys are already single-use, and a random
 * extended nonce keeps a retried or buggy second encryption safe as well.
 * The associated data binds the round, sender and receiver, so the server
 * cannot replay a ciphertext into another round or present it as coming from
 * another client: opening it there fails authentication.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { RandomSource } from '@fedrec/core/random';
import { SecAggError } from './secagg-error.js';
import { randomBytes } from '@fedrec/core/random';

export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;

/** Bytes of a sealed box holding `plaintextLength` bytes: nonce ‖ ciphertext ‖ tag. */
export function sealedLength(plaintextLength: number): number {
  return AEAD_NONCE_BYTES + plaintextLength + AEAD_TAG_BYTES;
}

const SHARE_AD_LABEL = new TextEncoder().encode('fedrec/secagg/v1/shares');

/** Associated data of an encrypted share: label ‖ roundId (u64 BE) ‖ sender (u32 BE) ‖ receiver (u32 BE). */
export function shareAssociatedData(roundId: number, sender: number, receiver: number): Uint8Array {
  if (!Number.isSafeInteger(roundId) || roundId < 0) throw new RangeError(`expected roundId to be a non-negative safe integer, got ${roundId}`);
  for (const [name, v] of [['sender', sender], ['receiver', receiver]] as const) {
    if (!Number.isSafeInteger(v) || v < 0 || v > 0xffff_ffff) throw new RangeError(`expected ${name} to be a uint32, got ${v}`);
  }
  const out = new Uint8Array(SHARE_AD_LABEL.length + 16);
  out.set(SHARE_AD_LABEL, 0);
  const view = new DataView(out.buffer, SHARE_AD_LABEL.length);
  view.setUint32(0, Math.floor(roundId / 2 ** 32));
  view.setUint32(4, roundId >>> 0);
  view.setUint32(8, sender);
  view.setUint32(12, receiver);
  return out;
}

function assertKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== AEAD_KEY_BYTES) throw new RangeError(`expected a ${AEAD_KEY_BYTES}-byte key`);
}

/** Encrypts and authenticates `plaintext` (and authenticates `associatedData`). */
export function sealBox(key: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array, random: RandomSource): Uint8Array {
  assertKey(key);
  const nonce = randomBytes(random, AEAD_NONCE_BYTES);
  const ciphertext = xchacha20poly1305(key, nonce, associatedData).encrypt(plaintext);
  const out = new Uint8Array(AEAD_NONCE_BYTES + ciphertext.length);
  out.set(nonce, 0);
  out.set(ciphertext, AEAD_NONCE_BYTES);
  return out;
}

/**
 * The plaintext of a sealed box. Throws SecAggError MALFORMED_CIPHERTEXT when
 * it is too short to be one, and DECRYPTION_FAILED when any byte of it, the
 * key or the associated data differs from what was sealed.
 */
export function openBox(key: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array): Uint8Array {
  assertKey(key);
  if (!(sealed instanceof Uint8Array) || sealed.length < AEAD_NONCE_BYTES + AEAD_TAG_BYTES) {
    throw new SecAggError('MALFORMED_CIPHERTEXT', `expected a sealed box of at least ${AEAD_NONCE_BYTES + AEAD_TAG_BYTES} bytes`);
  }
  try {
    return xchacha20poly1305(key, sealed.subarray(0, AEAD_NONCE_BYTES), associatedData).decrypt(sealed.subarray(AEAD_NONCE_BYTES));
  } catch {
    throw new SecAggError('DECRYPTION_FAILED', 'expected an authentic sealed box: the tag does not match');
  }
}
