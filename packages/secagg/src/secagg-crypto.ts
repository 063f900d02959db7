/**
 * The costly primitives of SecAgg, behind one asynchronous interface so that
 * each platform runs them natively:
 *
 * - X25519 (RFC 7748): key generation, and the raw shared secret with each of
 *   a list of peers (Bonawitz et al. CCS 2017 §4, KA.gen / KA.agree);
 * - the mask PRG: the AES-256-CTR keystream under a 32-byte seed, counter
 *   block zero, read as little-endian uint32 words (§4, PRG(s) ∈ ℤ_R^m).
 *
 * A client agrees with 2k neighbours and expands k + 1 masks of d words per
 * round (k = 40 at n = 100, d = 55k); in pure JavaScript that is ~1.5 ms per
 * agreement and ~1.6 ms (ChaCha20) to 6 ms (AES) per mask, over 150 ms a
 * round. Natively it is 0.04–0.1 ms per agreement and 0.07–0.3 ms per mask.
 *
 * Implementations, all computing the same bytes (tested), so clients on
 * different platforms interoperate:
 * - `nodeSecAggCrypto` (node-secagg-crypto.ts): node:crypto, synchronous
 *   OpenSSL calls, the fastest in Node;
 * - `webCryptoSecAggCrypto` (web-crypto-secagg-crypto.ts): WebCrypto, in
 *   browsers (X25519: Chromium ≥ 133, Firefox ≥ 130, Safari ≥ 17);
 * - `nobleSecAggCrypto` (noble-secagg-crypto.ts): the audited pure-JS @noble
 *   libraries, anywhere.
 * `resolveSecAggCrypto` picks the first this platform supports.
 */
import type { RandomSource } from '../random/random-source.js';
import { nodeSecAggCrypto } from './node-secagg-crypto.js';
import { nobleSecAggCrypto } from './noble-secagg-crypto.js';
import { webCryptoSecAggCrypto } from './web-crypto-secagg-crypto.js';

export interface X25519KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export interface SecAggCrypto {
  /** Which implementation, for logs and benchmarks. */
  readonly name: string;
  /**
   * A fresh key pair. With a seeded `random` (simulation, tests) the secret
   * is 32 bytes from it, so runs reproduce; with a cryptographic one the
   * platform may draw the key from its own CSPRNG, which is the same source.
   */
  generateKeyPair(random: RandomSource): Promise<X25519KeyPair>;
  /** The X25519 public key of a 32-byte secret key (clamped inside X25519). */
  publicKey(secretKey: Uint8Array): Promise<Uint8Array>;
  /**
   * The raw X25519 shared secret of `own.secretKey` with each peer, in order.
   * `own.publicKey` must be the public key of `own.secretKey` (native
   * imports need both halves; a mismatch may be refused).
   * Callers check peers with `isValidPublicKey` first; a key the primitive
   * still refuses (an all-zero secret) rejects with SecAggError BAD_PUBLIC_KEY.
   */
  agree(own: X25519KeyPair, peerPublicKeys: readonly Uint8Array[]): Promise<Uint8Array[]>;
  /** `length` uint32 words of the AES-256-CTR keystream under `seed` (counter block 0). */
  expandMask(seed: Uint8Array, length: number): Promise<Uint32Array>;
}

export { nodeSecAggCrypto, nobleSecAggCrypto, webCryptoSecAggCrypto };

let resolved: Promise<SecAggCrypto> | undefined;

/**
 * The fastest implementation this platform supports, probed once against
 * fixed test vectors (a platform that "supports" a primitive must also get it
 * right): node:crypto, else WebCrypto (X25519 and AES-CTR separately, since
 * some browsers have only the latter), else noble.
 */
export function resolveSecAggCrypto(): Promise<SecAggCrypto> {
  resolved ??= probe();
  return resolved;
}

// RFC 7748 §6.1: Alice's secret key and public key.
const ALICE_SECRET = '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a';
const ALICE_PUBLIC = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

async function passesX25519(candidate: SecAggCrypto): Promise<boolean> {
  try {
    return toHex(await candidate.publicKey(fromHex(ALICE_SECRET))) === ALICE_PUBLIC;
  } catch {
    return false;
  }
}

async function passesAes(candidate: SecAggCrypto): Promise<boolean> {
  try {
    const seed = fromHex(ALICE_SECRET);
    const [words, reference] = await Promise.all([candidate.expandMask(seed, 40), nobleSecAggCrypto.expandMask(seed, 40)]);
    return words.every((w, i) => w === reference[i]);
  } catch {
    return false;
  }
}

async function probe(): Promise<SecAggCrypto> {
  const node = nodeSecAggCrypto();
  if (node !== undefined && (await passesX25519(node)) && (await passesAes(node))) return node;
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return nobleSecAggCrypto;
  const web = webCryptoSecAggCrypto(subtle);
  const [x25519Native, aesNative] = await Promise.all([passesX25519(web), passesAes(web)]);
  if (x25519Native && aesNative) return web;
  const keys = x25519Native ? web : nobleSecAggCrypto;
  return {
    name: `${keys.name}-x25519+${(aesNative ? web : nobleSecAggCrypto).name}-aes`,
    generateKeyPair: keys.generateKeyPair,
    publicKey: keys.publicKey,
    agree: keys.agree,
    expandMask: (aesNative ? web : nobleSecAggCrypto).expandMask,
  };
}
