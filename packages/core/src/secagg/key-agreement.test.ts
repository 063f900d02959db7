import { describe, it, expect } from 'vitest';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { deriveKey, generateKeyPair, isValidPublicKey, pairwiseMaskSeed, publicKeyFor, sharedSecret, shareEncryptionKey } from './key-agreement.js';
import { SecAggError } from './secagg-error.js';

const random = createSeededRandomSource('key-agreement-test');
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (pair) => parseInt(pair, 16));

describe('X25519 key agreement', () => {
  it('matches the RFC 7748 §6.1 test vector', () => {
    const aliceSecret = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bobPublic = fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    expect(hex(publicKeyFor(aliceSecret))).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(hex(sharedSecret(aliceSecret, bobPublic))).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  });

  it('agrees on the same secret from both sides', () => {
    const a = generateKeyPair(random);
    const b = generateKeyPair(random);
    expect(sharedSecret(a.secretKey, b.publicKey)).toEqual(sharedSecret(b.secretKey, a.publicKey));
    expect(pairwiseMaskSeed(a.secretKey, b.publicKey, 5, 3, 8)).toEqual(pairwiseMaskSeed(b.secretKey, a.publicKey, 5, 8, 3));
  });

  it('binds derived keys to purpose, round and direction', () => {
    const a = generateKeyPair(random);
    const b = generateKeyPair(random);
    const shared = sharedSecret(a.secretKey, b.publicKey);
    const keys = [
      deriveKey(shared, 'shareEncryption', 1, 2, 3),
      deriveKey(shared, 'shareEncryption', 1, 3, 2),
      deriveKey(shared, 'shareEncryption', 2, 2, 3),
      deriveKey(shared, 'pairwiseMask', 1, 2, 3),
      deriveKey(shared, 'shareEncryption', 2 ** 32 + 1, 2, 3),
    ];
    expect(new Set(keys.map(hex)).size).toBe(keys.length);
    expect(shareEncryptionKey(a.secretKey, b.publicKey, 1, 2, 3)).toEqual(shareEncryptionKey(b.secretKey, a.publicKey, 1, 2, 3));
  });

  it('the small-order list agrees with scalar multiplication: exactly its keys give an all-zero secret', () => {
    const a = generateKeyPair(random);
    const p = 2n ** 255n - 19n;
    const le = (value: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
    const small = [0n, 1n, 325606250916557431795983626356110631294008115727848805560023387167927233504n, 39382357235489614581723060781553021112529911719440698176882885853963445705823n, p - 1n, p, p + 1n];
    for (const u of small) {
      for (const key of [le(u), ((k) => ((k[31] = k[31]! | 0x80), k))(le(u))]) {
        expect(isValidPublicKey(key)).toBe(false);
        expect(() => sharedSecret(a.secretKey, key)).toThrow(SecAggError);
      }
    }
    for (let i = 0; i < 8; i++) {
      const key = generateKeyPair(random).publicKey;
      expect(isValidPublicKey(key)).toBe(true);
      expect(() => sharedSecret(a.secretKey, key)).not.toThrow();
    }
  });

  it('refuses low-order and malformed public keys with BAD_PUBLIC_KEY', () => {
    const a = generateKeyPair(random);
    expect(isValidPublicKey(a.publicKey)).toBe(true);
    expect(isValidPublicKey(new Uint8Array(32))).toBe(false); // u = 0 has order 1
    expect(isValidPublicKey(new Uint8Array(31))).toBe(false);
    expect(isValidPublicKey('key')).toBe(false);
    for (const bad of [new Uint8Array(32), new Uint8Array(33)]) {
      try {
        sharedSecret(a.secretKey, bad);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(SecAggError);
        expect((error as SecAggError).code).toBe('BAD_PUBLIC_KEY');
      }
    }
  });
});
