/**
 * Argument checks and byte helpers shared by the SecAggCrypto
 * implementations, so that each refuses the same inputs the same way.
 */
import { HOST_IS_LITTLE_ENDIAN } from '@fedrec/core/format';
import { SecAggError } from './secagg-error.js';

export const X25519_KEY_BYTES = 32;
export const MASK_SEED_BYTES = 32;
const MAX_MASK_WORDS = 2 ** 28;

export function assertMaskArguments(seed: Uint8Array, length: number): void {
  if (!(seed instanceof Uint8Array) || seed.length !== MASK_SEED_BYTES) throw new RangeError(`expected a ${MASK_SEED_BYTES}-byte seed`);
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_MASK_WORDS) throw new RangeError(`expected length in [0, 2^28], got ${length}`);
}

export function assertSecretKey(secretKey: Uint8Array): void {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== X25519_KEY_BYTES) throw new SecAggError('BAD_PUBLIC_KEY', `expected a ${X25519_KEY_BYTES}-byte secret key`);
}

export function assertPeerKey(peer: Uint8Array): void {
  if (!(peer instanceof Uint8Array) || peer.length !== X25519_KEY_BYTES) throw new SecAggError('BAD_PUBLIC_KEY', `expected a ${X25519_KEY_BYTES}-byte X25519 public key`);
}

/** An all-zero shared secret means a low-order peer key (RFC 7748 §6.1): refused. */
export function assertNonZeroSecret(secret: Uint8Array): Uint8Array {
  if (secret.every((b) => b === 0)) throw new SecAggError('BAD_PUBLIC_KEY', 'expected an X25519 public key of large order');
  return secret;
}

/**
 * Keystream bytes as uint32 words, little-endian on every platform (the
 * keystream is defined as bytes). A view when the layout allows, else a copy.
 */
export function wordsFromKeystream(bytes: Uint8Array, length: number): Uint32Array {
  if (HOST_IS_LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = new Uint32Array(length);
  for (let i = 0; i < length; i++) words[i] = view.getUint32(4 * i, true);
  return words;
}

// The DER of an X25519 key is a fixed prefix naming OID 1.3.101.110, then the
// 32 raw bytes: PKCS#8 v1 for a private key (RFC 8410 §7), SubjectPublicKeyInfo
// for a public one (§4).
const PKCS8_X25519_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20];
const SPKI_X25519_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00];

/** PKCS#8 wrapping of a raw X25519 private key (RFC 8410 §7). */
export function pkcs8X25519(secretKey: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(PKCS8_X25519_PREFIX.length + X25519_KEY_BYTES);
  out.set(PKCS8_X25519_PREFIX, 0);
  out.set(secretKey, PKCS8_X25519_PREFIX.length);
  return out;
}

/**
 * The raw secret key inside a PKCS#8 X25519 private key. The whole prefix is
 * checked, not just the length: any other encoding (another curve, a v2
 * PKCS#8 carrying the public key too) is refused rather than misread.
 */
export function x25519SecretFromPkcs8(der: Uint8Array): Uint8Array {
  return keyAfterPrefix(der, PKCS8_X25519_PREFIX, 'a PKCS#8 v1 X25519 private key');
}

/** The raw public key inside an X25519 SubjectPublicKeyInfo, checked the same way. */
export function x25519PublicFromSpki(der: Uint8Array): Uint8Array {
  return keyAfterPrefix(der, SPKI_X25519_PREFIX, 'an X25519 SubjectPublicKeyInfo');
}

function keyAfterPrefix(der: Uint8Array, prefix: readonly number[], what: string): Uint8Array {
  if (!(der instanceof Uint8Array)) throw new TypeError(`expected ${what} as bytes`);
  const length = prefix.length + X25519_KEY_BYTES;
  // The message names the expected shape only: these bytes may hold a secret.
  if (der.length !== length || prefix.some((byte, i) => der[i] !== byte)) throw new RangeError(`expected ${what}: ${length} DER bytes for OID 1.3.101.110`);
  // A copy, as a plain Uint8Array: Node hands back Buffers, whose slice() is a view.
  return Uint8Array.from(der.subarray(prefix.length));
}

export function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The JWK of an X25519 key: private when `secretKey` is given. */
export function x25519Jwk(publicKey: Uint8Array, secretKey?: Uint8Array): JsonWebKey {
  return { kty: 'OKP', crv: 'X25519', x: toBase64Url(publicKey), ...(secretKey === undefined ? {} : { d: toBase64Url(secretKey) }) };
}
