import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, it, expect } from 'vitest';
import { createCryptoRandomSource } from '@fedrec/core/random';
import { createSeededRandomSource } from '@fedrec/core/random';
import { deriveKey, generateKeyPair, isValidPublicKey, pairwiseMaskSeed, publicKeyFor, sharedSecret, sharedSecrets, shareEncryptionKey } from './key-agreement.js';
import { nobleSecAggCrypto } from './noble-secagg-crypto.js';
import { nodeSecAggCrypto } from './node-secagg-crypto.js';
import { webCryptoSecAggCrypto } from './web-crypto-secagg-crypto.js';
import { SecAggError } from './secagg-error.js';

const random = createSeededRandomSource('key-agreement-test');
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (pair) => parseInt(pair, 16));
const implementations = [
  ['noble', nobleSecAggCrypto],
  ['webcrypto', webCryptoSecAggCrypto()],
  ['node', nodeSecAggCrypto()!],
] as const;

async function errorCode(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
  } catch (error) {
    return error instanceof SecAggError ? error.code : `not a SecAggError: ${String(error)}`;
  }
  return undefined;
}

describe.each(implementations)('X25519 key agreement (%s)', (_name, primitives) => {
  it('matches the RFC 7748 §6.1 test vector', async () => {
    const aliceSecret = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bobPublic = fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    expect(hex(await publicKeyFor(aliceSecret, primitives))).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(hex(await sharedSecret({ secretKey: aliceSecret, publicKey: fromHex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a') }, bobPublic, primitives))).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  });

  it('agrees on the same secret from both sides, and with the other implementation', async () => {
    const a = await generateKeyPair(random, primitives);
    const b = await generateKeyPair(random, nobleSecAggCrypto);
    expect(b.publicKey).toEqual(await publicKeyFor(b.secretKey, primitives));
    expect(await sharedSecret(a, b.publicKey, primitives)).toEqual(await sharedSecret(b, a.publicKey, nobleSecAggCrypto));
    expect(await pairwiseMaskSeed(a, b.publicKey, 5, 3, 8, primitives)).toEqual(await pairwiseMaskSeed(b, a.publicKey, 5, 8, 3, primitives));
    const peers = await Promise.all([1, 2, 3].map(() => generateKeyPair(random, primitives)));
    const batch = await sharedSecrets(a, peers.map((p) => p.publicKey), primitives);
    for (const [i, peer] of peers.entries()) expect(batch[i]).toEqual(await sharedSecret(peer, a.publicKey, nobleSecAggCrypto));
  });

  it('a seeded source reproduces key pairs; a cryptographic one never repeats', async () => {
    const again = async (seed: string) => generateKeyPair(createSeededRandomSource(seed), primitives);
    expect(await again('pair')).toEqual(await again('pair'));
    expect((await again('pair')).secretKey).not.toEqual((await again('other')).secretKey);
    const crypto = createCryptoRandomSource();
    const [x, y] = await Promise.all([generateKeyPair(crypto, primitives), generateKeyPair(crypto, primitives)]);
    expect(x.secretKey).not.toEqual(y.secretKey);
    expect(x.publicKey).toEqual(await publicKeyFor(x.secretKey, nobleSecAggCrypto));
  });

  it('binds derived keys to purpose, round and direction', async () => {
    const a = await generateKeyPair(random, primitives);
    const b = await generateKeyPair(random, primitives);
    const shared = await sharedSecret(a, b.publicKey, primitives);
    const keys = [
      deriveKey(shared, 'shareEncryption', 1, 2, 3),
      deriveKey(shared, 'shareEncryption', 1, 3, 2),
      deriveKey(shared, 'shareEncryption', 2, 2, 3),
      deriveKey(shared, 'pairwiseMask', 1, 2, 3),
      deriveKey(shared, 'shareEncryption', 2 ** 32 + 1, 2, 3),
    ];
    expect(new Set(keys.map(hex)).size).toBe(keys.length);
    expect(await shareEncryptionKey(a, b.publicKey, 1, 2, 3, primitives)).toEqual(await shareEncryptionKey(b, a.publicKey, 1, 2, 3, primitives));
  });

  it('the small-order list agrees with scalar multiplication: exactly its keys give an all-zero secret', async () => {
    const a = await generateKeyPair(random, primitives);
    const p = 2n ** 255n - 19n;
    const le = (value: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
    const small = [0n, 1n, 325606250916557431795983626356110631294008115727848805560023387167927233504n, 39382357235489614581723060781553021112529911719440698176882885853963445705823n, p - 1n, p, p + 1n];
    for (const u of small) {
      for (const key of [le(u), ((k) => ((k[31] = k[31]! | 0x80), k))(le(u))]) {
        expect(isValidPublicKey(key)).toBe(false);
        expect(await errorCode(() => sharedSecret(a, key, primitives))).toBe('BAD_PUBLIC_KEY');
        // The primitive refuses them on its own too (no all-zero secret ever comes out).
        expect(await errorCode(() => primitives.agree(a, [key]))).toBe('BAD_PUBLIC_KEY');
      }
    }
    for (let i = 0; i < 8; i++) {
      const key = (await generateKeyPair(random, primitives)).publicKey;
      expect(isValidPublicKey(key)).toBe(true);
      expect(await errorCode(() => sharedSecret(a, key, primitives))).toBeUndefined();
    }
  });

  it('a key pair whose halves do not belong together is refused or treated as its secret half', async () => {
    const a = await generateKeyPair(random, primitives);
    const b = await generateKeyPair(random, primitives);
    const mixed = { secretKey: a.secretKey, publicKey: b.publicKey };
    // WebCrypto checks the halves and refuses; node:crypto and noble use the secret half. Never a third answer.
    const outcome = await primitives.agree(mixed, [b.publicKey]).then(
      (secrets) => secrets,
      () => 'refused' as const,
    );
    if (primitives.name === 'webcrypto') expect(outcome).toBe('refused');
    else expect(outcome).toEqual(await primitives.agree(a, [b.publicKey]));
  });

  it('refuses low-order and malformed public keys with BAD_PUBLIC_KEY', async () => {
    const a = await generateKeyPair(random, primitives);
    expect(isValidPublicKey(a.publicKey)).toBe(true);
    expect(isValidPublicKey(new Uint8Array(32))).toBe(false); // u = 0 has order 1
    expect(isValidPublicKey(new Uint8Array(31))).toBe(false);
    expect(isValidPublicKey('key')).toBe(false);
    for (const bad of [new Uint8Array(32), new Uint8Array(33)]) expect(await errorCode(() => sharedSecret(a, bad, primitives))).toBe('BAD_PUBLIC_KEY');
  });
});

describe('deriveKey', () => {
  it('derives keys as HKDF-SHA256 with the documented salt and info layout (the protocol, pinned)', () => {
    const shared = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    // info = purpose ‖ 0x00 ‖ roundId (u64 BE) ‖ first (u32 BE) ‖ second (u32 BE)
    const info = (purpose: string, high: number, low: number, first: number, second: number): Uint8Array => {
      const label = new TextEncoder().encode(purpose);
      const out = new Uint8Array(label.length + 17);
      out.set(label);
      const view = new DataView(out.buffer, label.length + 1);
      [high, low, first, second].forEach((word, i) => view.setUint32(4 * i, word));
      return out;
    };
    const salt = new TextEncoder().encode('fedrec/secagg/v1');
    expect(deriveKey(shared, 'shareEncryption', 2 ** 32 + 7, 3, 2)).toEqual(hkdf(sha256, shared, salt, info('share-encryption', 1, 7, 3, 2), 32));
    expect(deriveKey(shared, 'pairwiseMask', 5, 2, 9)).toEqual(hkdf(sha256, shared, salt, info('pairwise-mask', 0, 5, 2, 9), 32));
    // Repeated calls share the pre-keyed extract state: it must not carry over between them.
    const other = shared.map((b) => b ^ 0xff);
    expect(deriveKey(other, 'pairwiseMask', 5, 2, 9)).toEqual(hkdf(sha256, other, salt, info('pairwise-mask', 0, 5, 2, 9), 32));
    expect(deriveKey(shared, 'pairwiseMask', 5, 2, 9)).toEqual(hkdf(sha256, shared, salt, info('pairwise-mask', 0, 5, 2, 9), 32));
  });

  it('refuses an unknown purpose (from an untyped caller) instead of deriving under a bogus label', () => {
    const shared = new Uint8Array(32).fill(1);
    for (const purpose of ['toString', 'constructor', 'share-encryption']) {
      expect(() => deriveKey(shared, purpose as 'pairwiseMask', 1, 2, 3)).toThrow(RangeError);
    }
  });
});
