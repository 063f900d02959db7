/**
 * SecAggCrypto over WebCrypto (`SubtleCrypto`): native X25519 and AES-CTR in
 * browsers (and in Node, where node:crypto is faster still). Throws TypeError
 * if `subtle` is missing; `resolveSecAggCrypto` checks that X25519 works
 * before choosing it.
 */
import type { SecAggCrypto, X25519KeyPair } from './secagg-crypto.js';
import { SecAggError } from './secagg-error.js';
import {
  assertMaskArguments,
  assertNonZeroSecret,
  assertPeerKey,
  assertSecretKey,
  fromBase64Url,
  pkcs8X25519,
  wordsFromKeystream,
  x25519Jwk,
  X25519_KEY_BYTES,
} from './secagg-crypto-checks.js';
import { randomBytes } from '@fedrec/core/random';

const X25519_ALGORITHM = { name: 'X25519' } as const;
/** Keystream chunk per encrypt call: WebCrypto copies its input, so a bounded zero buffer is reused. */
const ZEROS = new Uint8Array(1 << 20);

export function webCryptoSecAggCrypto(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): SecAggCrypto {
  if (subtle === undefined) throw new TypeError('expected WebCrypto (globalThis.crypto.subtle)');

  const exportPair = async (privateKey: CryptoKey): Promise<X25519KeyPair> => {
    const jwk = await subtle.exportKey('jwk', privateKey);
    if (typeof jwk.x !== 'string' || typeof jwk.d !== 'string') throw new TypeError('expected WebCrypto to export an X25519 key pair');
    return { secretKey: fromBase64Url(jwk.d), publicKey: fromBase64Url(jwk.x) };
  };
  // PKCS#8 only to find the public key of a bare secret (slow to parse: ~0.5 ms
  // in Node); JWK with both halves otherwise (the platform checks they match).
  const importSecret = (secretKey: Uint8Array): Promise<CryptoKey> => subtle.importKey('pkcs8', pkcs8X25519(secretKey), X25519_ALGORITHM, true, ['deriveBits']);
  const importPair = (own: X25519KeyPair): Promise<CryptoKey> => subtle.importKey('jwk', x25519Jwk(own.publicKey, own.secretKey), X25519_ALGORITHM, false, ['deriveBits']);

  return {
    name: 'webcrypto',
    async generateKeyPair(random) {
      if (random.kind === 'crypto') {
        const pair = (await subtle.generateKey(X25519_ALGORITHM, true, ['deriveBits'])) as CryptoKeyPair;
        return exportPair(pair.privateKey);
      }
      return exportPair(await importSecret(randomBytes(random, X25519_KEY_BYTES)));
    },
    async publicKey(secretKey) {
      assertSecretKey(secretKey);
      return (await exportPair(await importSecret(secretKey))).publicKey;
    },
    async agree(own, peerPublicKeys) {
      assertSecretKey(own.secretKey);
      assertPeerKey(own.publicKey);
      peerPublicKeys.forEach(assertPeerKey);
      const privateKey = await importPair(own);
      return Promise.all(
        peerPublicKeys.map(async (peer) => {
          let secret: Uint8Array;
          try {
            const publicKey = await subtle.importKey('raw', Uint8Array.from(peer), X25519_ALGORITHM, false, []);
            secret = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: publicKey }, privateKey, 256));
          } catch {
            // WebCrypto refuses keys whose shared secret is all zero (low order).
            throw new SecAggError('BAD_PUBLIC_KEY', 'expected an X25519 public key of large order');
          }
          return assertNonZeroSecret(secret);
        }),
      );
    },
    async expandMask(seed, length) {
      assertMaskArguments(seed, length);
      if (length === 0) return new Uint32Array(0);
      const key = await subtle.importKey('raw', Uint8Array.from(seed), 'AES-CTR', false, ['encrypt']);
      const byteLength = 4 * length;
      const out = new Uint8Array(byteLength);
      const parts: Promise<void>[] = [];
      for (let start = 0; start < byteLength; start += ZEROS.length) {
        const size = Math.min(ZEROS.length, byteLength - start);
        // The chunk starting at byte `start` starts at block start/16: the counter's low 64 bits (big-endian).
        const counter = new Uint8Array(16);
        new DataView(counter.buffer).setBigUint64(8, BigInt(start / 16));
        parts.push(
          subtle.encrypt({ name: 'AES-CTR', counter, length: 64 }, key, ZEROS.subarray(0, size)).then((chunk) => {
            out.set(new Uint8Array(chunk), start);
          }),
        );
      }
      await Promise.all(parts);
      return wordsFromKeystream(out, length);
    },
  };
}
