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
 * `resolveSecAggCrypto` (resolve-secagg-crypto.ts) picks the first this
 * platform supports. This file holds only the interface, so the three
 * implementations can import it without an import cycle through the probe.
 */
import type { RandomSource } from '@fedrec/core/random';

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
