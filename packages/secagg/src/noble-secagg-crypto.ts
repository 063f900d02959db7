/**
 * SecAggCrypto in pure JavaScript: @noble/curves X25519 and @noble/ciphers
 * AES-CTR (audited). Runs anywhere; the slowest (about 1.5 ms per X25519
 * operation, 6 ms per mask of 55k words), so the fallback.
 */
import { ctr } from '@noble/ciphers/aes.js';
import { x25519 } from '@noble/curves/ed25519.js';
import type { SecAggCrypto } from './secagg-crypto.js';
import { SecAggError } from './secagg-error.js';
import { assertMaskArguments, assertNonZeroSecret, assertPeerKey, assertSecretKey, wordsFromKeystream, X25519_KEY_BYTES } from './secagg-crypto-checks.js';
import { randomBytes } from '@fedrec/core/random';

const ZERO_COUNTER = new Uint8Array(16);

export const nobleSecAggCrypto: SecAggCrypto = {
  name: 'noble',
  generateKeyPair(random) {
    const secretKey = randomBytes(random, X25519_KEY_BYTES);
    return Promise.resolve({ secretKey, publicKey: x25519.getPublicKey(secretKey) });
  },
  publicKey(secretKey) {
    assertSecretKey(secretKey);
    return Promise.resolve(x25519.getPublicKey(secretKey));
  },
  agree(own, peerPublicKeys) {
    assertSecretKey(own.secretKey);
    return Promise.resolve(
      peerPublicKeys.map((peer) => {
        assertPeerKey(peer);
        let secret: Uint8Array;
        try {
          secret = x25519.getSharedSecret(own.secretKey, peer);
        } catch {
          throw new SecAggError('BAD_PUBLIC_KEY', 'expected an X25519 public key of large order');
        }
        return assertNonZeroSecret(secret);
      }),
    );
  },
  expandMask(seed, length) {
    assertMaskArguments(seed, length);
    const bytes = new Uint8Array(4 * length);
    ctr(seed, ZERO_COUNTER).encrypt(bytes, bytes);
    return Promise.resolve(wordsFromKeystream(bytes, length));
  },
};
