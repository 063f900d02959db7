/**
 * The mask PRG of SecAgg (Bonawitz et al. CCS 2017, §4: PRG(s) expands a
 * seed into a vector in ℤ_R^m): the AES-256-CTR keystream under the 32-byte
 * seed, counter block zero, read as little-endian uint32 words. AES-CTR
 * rather than ChaCha20 because every browser and Node run it natively
 * (WebCrypto, node:crypto: 0.07–0.3 ms for 55k words against 1.6 ms for
 * ChaCha20 in JavaScript); the pure-JS fallback is @noble/ciphers' AES
 * (secagg-crypto.ts).
 *
 * The counter starts at zero for every seed: each seed is used for one vector
 * only (self masks are fresh per round; pairwise seeds are derived per round
 * and pair in key-agreement.ts), which is the condition for that to be safe.
 * A 64-bit block counter covers any model.
 */
import { resolveSecAggCrypto } from './resolve-secagg-crypto.js';
import { type SecAggCrypto } from './secagg-crypto.js';
import { MASK_SEED_BYTES } from './secagg-crypto-checks.js';

export { MASK_SEED_BYTES };

/**
 * `length` pseudorandom uint32 words from `seed`, with the platform's fastest
 * primitives unless `primitives` says otherwise.
 *
 * @example
 * const mask = await expandMask(seed, update.length);
 */
export async function expandMask(seed: Uint8Array, length: number, primitives?: SecAggCrypto): Promise<Uint32Array> {
  return (primitives ?? (await resolveSecAggCrypto())).expandMask(seed, length);
}
