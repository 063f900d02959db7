/**
 * X25519 key agreement (RFC 7748, via @noble/curves) and HKDF-SHA256 key
 * derivation (RFC 5869, via @noble/hashes) for SecAgg (Bonawitz et al. CCS
 * 2017, §4: KA.gen / KA.agree, and the pairwise-mask and share-encryption
 * keys).
 *
 * Each client has two key pairs per round: one whose agreed secrets key the
 * encryption of shares, one whose agreed secrets seed the pairwise masks. They
 * must differ because the server learns the *mask* secret key of a client that
 * drops out (to cancel its masks); had the same key encrypted the shares, the
 * server could then decrypt that client's shares of everyone else's secrets.
 *
 * Derived keys are bound to their purpose, the round and the two client
 * indices (HKDF info), so a key agreed for one pair, round or use is never
 * valid for another.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { RandomSource } from '../random/random-source.js';
import { SecAggError } from './secagg-error.js';
import { randomBytes } from './uniform-integer.js';

export const X25519_KEY_BYTES = 32;
/** Bytes of every derived key and seed. */
export const DERIVED_KEY_BYTES = 32;

export interface X25519KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Purposes are part of the HKDF info; their strings are part of the protocol and never change. */
export const KeyPurpose = {
  /** Authenticated encryption of shares from one client to another (directional). */
  shareEncryption: 'share-encryption',
  /** Seed of the pairwise mask between two clients (symmetric). */
  pairwiseMask: 'pairwise-mask',
} as const;
export type KeyPurposeName = keyof typeof KeyPurpose;

const HKDF_SALT = new TextEncoder().encode('fedrec/secagg/v1');
const encoder = new TextEncoder();

/** A fresh key pair; the secret key is 32 uniform bytes (clamped inside X25519). */
export function generateKeyPair(random: RandomSource): X25519KeyPair {
  const secretKey = randomBytes(random, X25519_KEY_BYTES);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** The public key for a secret key (e.g. to check a reconstructed one against what its owner advertised). */
export function publicKeyFor(secretKey: Uint8Array): Uint8Array {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== X25519_KEY_BYTES) {
    throw new SecAggError('BAD_PUBLIC_KEY', `expected a ${X25519_KEY_BYTES}-byte secret key`);
  }
  return x25519.getPublicKey(secretKey);
}

/**
 * The raw X25519 shared secret. Low-order public keys (which would force the
 * all-zero secret whatever our key) are refused, as RFC 7748 §6.1 allows.
 */
export function sharedSecret(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  if (!(peerPublicKey instanceof Uint8Array) || peerPublicKey.length !== X25519_KEY_BYTES) {
    throw new SecAggError('BAD_PUBLIC_KEY', `expected a ${X25519_KEY_BYTES}-byte X25519 public key`);
  }
  try {
    return x25519.getSharedSecret(secretKey, peerPublicKey);
  } catch {
    throw new SecAggError('BAD_PUBLIC_KEY', 'expected an X25519 public key of large order');
  }
}

// A fixed, valid scalar: the check below only needs some multiplication by a non-zero scalar.
const PROBE_SCALAR = new Uint8Array(X25519_KEY_BYTES).fill(0x42);

/** Whether `publicKey` is 32 bytes and not of low order (what the server checks before relaying it). */
export function isValidPublicKey(publicKey: unknown): publicKey is Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== X25519_KEY_BYTES) return false;
  try {
    x25519.getSharedSecret(PROBE_SCALAR, publicKey);
    return true;
  } catch {
    return false;
  }
}

function u32(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffff_ffff) throw new RangeError(`expected ${name} to be a uint32, got ${value}`);
  return value;
}

/** HKDF info: purpose ‖ 0x00 ‖ roundId (u64 BE) ‖ first (u32 BE) ‖ second (u32 BE). Fixed-width, so no two contexts collide. */
function info(purpose: string, roundId: number, first: number, second: number): Uint8Array {
  if (!Number.isSafeInteger(roundId) || roundId < 0) throw new RangeError(`expected roundId to be a non-negative safe integer, got ${roundId}`);
  const label = encoder.encode(purpose);
  const out = new Uint8Array(label.length + 1 + 16);
  out.set(label, 0);
  const view = new DataView(out.buffer, label.length + 1);
  view.setUint32(0, Math.floor(roundId / 2 ** 32));
  view.setUint32(4, roundId >>> 0);
  view.setUint32(8, u32(first, 'first index'));
  view.setUint32(12, u32(second, 'second index'));
  return out;
}

/** HKDF-SHA256 of a shared secret for one purpose, round and ordered pair of client indices. */
export function deriveKey(shared: Uint8Array, purpose: KeyPurposeName, roundId: number, first: number, second: number): Uint8Array {
  return hkdf(sha256, shared, HKDF_SALT, info(KeyPurpose[purpose], roundId, first, second), DERIVED_KEY_BYTES);
}

/**
 * The key `sender` uses to encrypt its shares for `receiver` in a round. It is
 * directional (sender first), so the two directions of a pair never share a
 * key, and each key seals exactly one message.
 */
export function shareEncryptionKey(secretKey: Uint8Array, peerPublicKey: Uint8Array, roundId: number, sender: number, receiver: number): Uint8Array {
  return deriveKey(sharedSecret(secretKey, peerPublicKey), 'shareEncryption', roundId, sender, receiver);
}

/** The seed of the pairwise mask between clients a and b: the same from either side (indices in increasing order). */
export function pairwiseMaskSeed(secretKey: Uint8Array, peerPublicKey: Uint8Array, roundId: number, a: number, b: number): Uint8Array {
  return deriveKey(sharedSecret(secretKey, peerPublicKey), 'pairwiseMask', roundId, Math.min(a, b), Math.max(a, b));
}
