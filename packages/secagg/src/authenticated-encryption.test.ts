import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createSeededRandomSource } from '@fedrec/core/random';
import { AEAD_NONCE_BYTES, openBox, sealBox, sealedLength, shareAssociatedData } from './authenticated-encryption.js';
import { codeOf } from './test-support/secagg-error-code.js';

const random = createSeededRandomSource('aead-test');
const key = new Uint8Array(32).map((_, i) => i * 7);

describe('sealBox / openBox', () => {
  it('round-trips any plaintext', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 1000 }), (plaintext, round) => {
        const ad = shareAssociatedData(round, 1, 2);
        const sealed = sealBox(key, plaintext, ad, random);
        expect(sealed.length).toBe(sealedLength(plaintext.length));
        expect(openBox(key, sealed, ad)).toEqual(plaintext);
      }),
    );
  });

  it('rejects any flipped bit with DECRYPTION_FAILED', () => {
    const ad = shareAssociatedData(7, 3, 4);
    const sealed = sealBox(key, new Uint8Array(128).fill(5), ad, random);
    fc.assert(
      fc.property(fc.nat({ max: sealed.length * 8 - 1 }), (bit) => {
        const tampered = Uint8Array.from(sealed);
        tampered[bit >> 3]! ^= 1 << (bit & 7);
        expect(codeOf(() => openBox(key, tampered, ad))).toBe('DECRYPTION_FAILED');
      }),
    );
  });

  it('binds round, sender and receiver through the associated data', () => {
    const sealed = sealBox(key, new Uint8Array([1, 2, 3]), shareAssociatedData(7, 3, 4), random);
    expect(codeOf(() => openBox(key, sealed, shareAssociatedData(8, 3, 4)))).toBe('DECRYPTION_FAILED');
    expect(codeOf(() => openBox(key, sealed, shareAssociatedData(7, 4, 3)))).toBe('DECRYPTION_FAILED');
    expect(codeOf(() => openBox(key, sealed, shareAssociatedData(7, 3, 5)))).toBe('DECRYPTION_FAILED');
    expect(codeOf(() => openBox(new Uint8Array(32), sealed, shareAssociatedData(7, 3, 4)))).toBe('DECRYPTION_FAILED');
  });

  it('uses a fresh nonce per seal and refuses truncated boxes', () => {
    const ad = shareAssociatedData(1, 1, 2);
    const a = sealBox(key, new Uint8Array(4), ad, random);
    const b = sealBox(key, new Uint8Array(4), ad, random);
    expect(a.subarray(0, AEAD_NONCE_BYTES)).not.toEqual(b.subarray(0, AEAD_NONCE_BYTES));
    expect(codeOf(() => openBox(key, a.subarray(0, 39), ad))).toBe('MALFORMED_CIPHERTEXT');
  });
});
