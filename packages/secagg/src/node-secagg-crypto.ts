/**
 * SecAggCrypto over node:crypto: OpenSSL's X25519 and AES-256-CTR through
 * Node's synchronous API, the fastest in Node (0.04 ms per agreement and
 * 0.07 ms per 55k-word mask, against 0.1 ms and 0.3 ms through Node's
 * WebCrypto, whose every call crosses to the thread pool and back).
 *
 * Core runs in browsers too, so node:crypto is not imported: it is looked up
 * at run time with `process.getBuiltinModule` (Node ≥ 20.16), and
 * `nodeSecAggCrypto()` returns undefined anywhere else. Only the handful of
 * node:crypto functions used here are typed, structurally.
 *
 * Keys leave node:crypto as DER, never as JWK. In Node 20, exporting an X25519
 * KeyObject as JWK (`ExportJWKEdKey` in src/crypto/crypto_ec.cc) holds the
 * key's mutex while it allocates the JWK's strings; an allocation can start a
 * garbage collection, whose weak callback destroys the finished key-generation
 * job that made the key (`~KeyGenJob` → `~KeyPairGenConfig`), and that
 * destructor locks the same non-recursive mutex: the main thread waits on
 * itself for ever (issue 13, point 8). DER export writes through an OpenSSL
 * BIO with no lock held, and a pair encoded at generation is encoded while
 * its job is still alive, so neither can meet that destructor.
 * test/secagg/node-crypto-gc-stress.test.ts guards it.
 */
import type { SecAggCrypto } from './secagg-crypto.js';
import { SecAggError } from './secagg-error.js';
import {
  assertMaskArguments,
  assertNonZeroSecret,
  assertPeerKey,
  assertSecretKey,
  pkcs8X25519,
  wordsFromKeystream,
  x25519Jwk,
  x25519PublicFromSpki,
  x25519SecretFromPkcs8,
  X25519_KEY_BYTES,
} from './secagg-crypto-checks.js';
import { randomBytes } from '@fedrec/core/random';

// Typed with DER export only, so that a JWK export (see above) does not compile.
interface NodeKeyObject {
  export(options: { format: 'der'; type: 'spki' }): Uint8Array;
}

const DER_ENCODINGS = { publicKeyEncoding: { format: 'der', type: 'spki' }, privateKeyEncoding: { format: 'der', type: 'pkcs8' } } as const;

interface NodeCrypto {
  generateKeyPairSync(type: 'x25519', encodings: typeof DER_ENCODINGS): { privateKey: Uint8Array; publicKey: Uint8Array };
  createPrivateKey(input: { key: JsonWebKey; format: 'jwk' } | { key: Uint8Array; format: 'der'; type: 'pkcs8' }): NodeKeyObject;
  createPublicKey(input: { key: JsonWebKey; format: 'jwk' } | NodeKeyObject): NodeKeyObject;
  diffieHellman(options: { privateKey: NodeKeyObject; publicKey: NodeKeyObject }): Uint8Array;
  createCipheriv(algorithm: 'aes-256-ctr', key: Uint8Array, iv: Uint8Array): { update(data: Uint8Array): Uint8Array };
}

function loadNodeCrypto(): NodeCrypto | undefined {
  const processLike = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const module = processLike?.getBuiltinModule?.('node:crypto');
    return typeof module === 'object' && module !== null && 'diffieHellman' in module && 'createCipheriv' in module ? (module as NodeCrypto) : undefined;
  } catch {
    return undefined;
  }
}

const ZERO_IV = new Uint8Array(16);
let zeros = new Uint8Array(0);

/** The node:crypto implementation, or undefined where node:crypto is not available (browsers, Node < 20.16). */
export function nodeSecAggCrypto(): SecAggCrypto | undefined {
  const nodeCrypto = loadNodeCrypto();
  if (nodeCrypto === undefined) return undefined;
  // The public key of a bare secret: PKCS#8 in, SubjectPublicKeyInfo out. The
  // PKCS#8 decode is OpenSSL's slow path (~0.6 ms), as it was with JWK out;
  // JWK import would be faster but needs the public half it is asked for.
  const publicKeyOf = (secretKey: Uint8Array): Uint8Array =>
    x25519PublicFromSpki(nodeCrypto.createPublicKey(nodeCrypto.createPrivateKey({ key: pkcs8X25519(secretKey), format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' }));
  return {
    name: 'node',
    generateKeyPair(random) {
      if (random.kind === 'crypto') {
        const der = nodeCrypto.generateKeyPairSync('x25519', DER_ENCODINGS);
        return Promise.resolve({ secretKey: x25519SecretFromPkcs8(der.privateKey), publicKey: x25519PublicFromSpki(der.publicKey) });
      }
      const secretKey = randomBytes(random, X25519_KEY_BYTES);
      return Promise.resolve({ secretKey, publicKey: publicKeyOf(secretKey) });
    },
    publicKey(secretKey) {
      assertSecretKey(secretKey);
      return Promise.resolve(publicKeyOf(secretKey));
    },
    agree(own, peerPublicKeys) {
      assertSecretKey(own.secretKey);
      assertPeerKey(own.publicKey);
      peerPublicKeys.forEach(assertPeerKey);
      // JWK import is not the hazard: the imported key's mutex is its own,
      // shared with no key-generation job whose destructor could take it.
      const privateKey = nodeCrypto.createPrivateKey({ key: x25519Jwk(own.publicKey, own.secretKey), format: 'jwk' });
      return Promise.resolve(
        peerPublicKeys.map((peer) => {
          let secret: Uint8Array;
          try {
            const publicKey = nodeCrypto.createPublicKey({ key: x25519Jwk(peer), format: 'jwk' });
            secret = Uint8Array.from(nodeCrypto.diffieHellman({ privateKey, publicKey }));
          } catch {
            // OpenSSL refuses keys whose shared secret is all zero (low order).
            throw new SecAggError('BAD_PUBLIC_KEY', 'expected an X25519 public key of large order');
          }
          return assertNonZeroSecret(secret);
        }),
      );
    },
    expandMask(seed, length) {
      assertMaskArguments(seed, length);
      const byteLength = 4 * length;
      if (zeros.length < byteLength) zeros = new Uint8Array(byteLength);
      // The keystream is the encryption of zeros; update() returns a fresh buffer.
      const bytes = nodeCrypto.createCipheriv('aes-256-ctr', seed, ZERO_IV).update(zeros.subarray(0, byteLength));
      return Promise.resolve(wordsFromKeystream(bytes, length));
    },
  };
}
