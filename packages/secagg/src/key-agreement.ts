/**
 * X25519 key agreement (RFC 7748, natively through WebCrypto or via
 * @noble/curves: see secagg-crypto.ts) and HKDF-SHA256 key derivation
 * (RFC 5869, via @noble/hashes) for SecAgg (Bonawitz et al. CCS 2017, §4:
 * KA.gen / KA.agree, and the pairwise-mask and share-encryption keys).
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
import { expand } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { RandomSource } from '@fedrec/core/random';
import { SecAggError } from './secagg-error.js';
import { resolveSecAggCrypto } from './resolve-secagg-crypto.js';
import { type SecAggCrypto, type X25519KeyPair } from './secagg-crypto.js';
import { X25519_KEY_BYTES } from './secagg-crypto-checks.js';

export { X25519_KEY_BYTES };
export type { X25519KeyPair };
/** Bytes of every derived key and seed. */
export const DERIVED_KEY_BYTES = 32;


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
/**
 * HKDF-Extract is HMAC keyed by the salt, and the salt never changes: keyed
 * once here and cloned per call, it skips the two key-pad compressions of
 * each of the ~120 derivations a client makes per round. Same output as
 * `hkdf(sha256, …)` (tested).
 */
const SALTED_EXTRACT = hmac.create(sha256, HKDF_SALT);
/** `KeyPurpose`'s strings, encoded once. */
const PURPOSE_LABELS = Object.fromEntries(Object.entries(KeyPurpose).map(([name, label]) => [name, encoder.encode(label)])) as Readonly<Record<KeyPurposeName, Uint8Array>>;

/**
 * A fresh key pair: from `random` when it is seeded (so simulations
 * reproduce), else possibly from the platform's own CSPRNG (see SecAggCrypto).
 */
export async function generateKeyPair(random: RandomSource, primitives?: SecAggCrypto): Promise<X25519KeyPair> {
  return (primitives ?? (await resolveSecAggCrypto())).generateKeyPair(random);
}

/** The public key for a secret key (e.g. to check a reconstructed one against what its owner advertised). */
export async function publicKeyFor(secretKey: Uint8Array, primitives?: SecAggCrypto): Promise<Uint8Array> {
  return (primitives ?? (await resolveSecAggCrypto())).publicKey(secretKey);
}

/**
 * The raw X25519 shared secrets of `secretKey` with each peer. Low-order
 * public keys (which would force the all-zero secret whatever our key) are
 * refused with BAD_PUBLIC_KEY before any is used, as RFC 7748 §6.1 allows.
 */
export async function sharedSecrets(own: X25519KeyPair, peerPublicKeys: readonly Uint8Array[], primitives?: SecAggCrypto): Promise<Uint8Array[]> {
  for (const peer of peerPublicKeys) {
    if (!isValidPublicKey(peer)) throw new SecAggError('BAD_PUBLIC_KEY', `expected a ${X25519_KEY_BYTES}-byte X25519 public key of large order`);
  }
  return (primitives ?? (await resolveSecAggCrypto())).agree(own, peerPublicKeys);
}

/** The raw X25519 shared secret with one peer (see `sharedSecrets`). */
export async function sharedSecret(own: X25519KeyPair, peerPublicKey: Uint8Array, primitives?: SecAggCrypto): Promise<Uint8Array> {
  const [secret] = await sharedSecrets(own, [peerPublicKey], primitives);
  return secret!;
}

const P = 2n ** 255n - 19n;

/**
 * The u-coordinates of every point of small order on Curve25519 and its
 * twist, with their non-canonical encodings below 2^255 (X25519 ignores bit
 * 255): 0 and 1 (orders 4 and 1), the two points of order 8, p − 1 (order 2),
 * and p, p + 1 (0 and 1 again). The same list as libsodium's
 * `has_small_order` (crypto_scalarmult/curve25519/ref10/x25519_ref10.c).
 * Multiplying any of them by a clamped scalar gives 0, so a key on this list
 * is exactly one whose shared secrets would be all-zero.
 */
const SMALL_ORDER_U: readonly bigint[] = [
  0n,
  1n,
  325_606_250_916_557_431_795_983_626_356_110_631_294_008_115_727_848_805_560_023_387_167_927_233_504n,
  39_382_357_235_489_614_581_723_060_781_553_021_112_529_911_719_440_698_176_882_885_853_963_445_705_823n,
  P - 1n,
  P,
  P + 1n,
];

function littleEndian(value: bigint): Uint8Array {
  const out = new Uint8Array(X25519_KEY_BYTES);
  for (let i = 0; i < X25519_KEY_BYTES; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

const SMALL_ORDER_KEYS: readonly Uint8Array[] = SMALL_ORDER_U.map(littleEndian);

/**
 * Whether `publicKey` is 32 bytes and not of low order (what the server checks
 * before relaying it). A comparison against the small-order list rather than a
 * scalar multiplication: the server checks 2n keys per round, and one X25519
 * multiplication in JavaScript costs about a millisecond and a half. The same
 * check runs before every agreement (`sharedSecrets`).
 */
export function isValidPublicKey(publicKey: unknown): publicKey is Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== X25519_KEY_BYTES) return false;
  return !SMALL_ORDER_KEYS.some((bad) => {
    let diff = (bad[31]! ^ publicKey[31]!) & 0x7f; // bit 255 is ignored by X25519
    for (let i = 0; i < 31; i++) diff |= bad[i]! ^ publicKey[i]!;
    return diff === 0;
  });
}

function u32(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffff_ffff) throw new RangeError(`expected ${name} to be a uint32, got ${value}`);
  return value;
}

/** HKDF info: purpose ‖ 0x00 ‖ roundId (u64 BE) ‖ first (u32 BE) ‖ second (u32 BE). Fixed-width, so no two contexts collide. */
function info(purpose: KeyPurposeName, roundId: number, first: number, second: number): Uint8Array {
  if (!Number.isSafeInteger(roundId) || roundId < 0) throw new RangeError(`expected roundId to be a non-negative safe integer, got ${roundId}`);
  if (!Object.hasOwn(PURPOSE_LABELS, purpose)) throw new RangeError(`expected a key purpose (${Object.keys(PURPOSE_LABELS).join(', ')}), got ${String(purpose)}`);
  const label = PURPOSE_LABELS[purpose];
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
  const pseudorandomKey = SALTED_EXTRACT.clone().update(shared).digest();
  const key = expand(sha256, pseudorandomKey, info(purpose, roundId, first, second), DERIVED_KEY_BYTES);
  pseudorandomKey.fill(0);
  return key;
}

/**
 * The key `sender` uses to encrypt its shares for `receiver` in a round. It is
 * directional (sender first), so the two directions of a pair never share a
 * key, and each key seals exactly one message.
 */
export async function shareEncryptionKey(own: X25519KeyPair, peerPublicKey: Uint8Array, roundId: number, sender: number, receiver: number, primitives?: SecAggCrypto): Promise<Uint8Array> {
  return deriveKey(await sharedSecret(own, peerPublicKey, primitives), 'shareEncryption', roundId, sender, receiver);
}

/** The seed of the pairwise mask between clients a and b from a shared secret: the same from either side (indices in increasing order). */
export function pairwiseMaskSeedFromSecret(shared: Uint8Array, roundId: number, a: number, b: number): Uint8Array {
  return deriveKey(shared, 'pairwiseMask', roundId, Math.min(a, b), Math.max(a, b));
}

/** The seed of the pairwise mask between clients a and b: the same from either side. */
export async function pairwiseMaskSeed(own: X25519KeyPair, peerPublicKey: Uint8Array, roundId: number, a: number, b: number, primitives?: SecAggCrypto): Promise<Uint8Array> {
  return pairwiseMaskSeedFromSecret(await sharedSecret(own, peerPublicKey, primitives), roundId, a, b);
}
