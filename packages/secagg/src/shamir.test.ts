import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createSeededRandomSource } from '@fedrec/core/random';
import { combineShares, shamirShareLength, shareCompletingTo, splitSecret, type ShamirShare } from './shamir.js';
import { codeOf } from './test-support/secagg-error-code.js';

const random = createSeededRandomSource('shamir-test');

/** A secret, a threshold t and n ≥ t distinct x's in [1, 2^32 − 1]. */
const setup = fc
  .record({
    secret: fc.uint8Array({ minLength: 1, maxLength: 70 }),
    xs: fc.uniqueArray(fc.integer({ min: 1, max: 0xffff_ffff }), { minLength: 1, maxLength: 9 }),
  })
  .chain(({ secret, xs }) => fc.record({ secret: fc.constant(secret), xs: fc.constant(xs), threshold: fc.integer({ min: 1, max: xs.length }) }));

describe('splitSecret / combineShares', () => {
  it('recovers the secret from any threshold-sized subset, in any order', () => {
    fc.assert(
      fc.property(setup, fc.infiniteStream(fc.nat()), ({ secret, xs, threshold }, picks) => {
        const shares = splitSecret(secret, threshold, xs, random);
        expect(shares.map((s) => s.x)).toEqual(xs);
        shares.forEach((s) => expect(s.y.length).toBe(shamirShareLength(secret.length)));
        // A pseudo-random subset of exactly t shares, shuffled.
        const pool = [...shares];
        const subset: ShamirShare[] = [];
        const it = picks[Symbol.iterator]();
        while (subset.length < threshold) subset.push(pool.splice(it.next().value % pool.length, 1)[0]!);
        expect(combineShares(subset, threshold, secret.length)).toEqual(secret);
        // All n at once: the redundant ones are checked, and agree.
        expect(combineShares(shares, threshold, secret.length)).toEqual(secret);
      }),
      { numRuns: 150 },
    );
  });

  it('t − 1 shares are consistent with every secret (perfect secrecy)', () => {
    fc.assert(
      fc.property(setup, fc.uint8Array({ minLength: 1, maxLength: 70 }), fc.integer({ min: 1, max: 0xffff_ffff }), ({ secret, xs, threshold }, other, x) => {
        fc.pre(threshold >= 2 && !xs.slice(0, threshold - 1).includes(x));
        const fixed = splitSecret(secret, threshold, xs, random).slice(0, threshold - 1);
        const alternative = other.length === secret.length ? other : new Uint8Array(secret.length).map((_, i) => other[i % other.length]!);
        // For any secret there is a t-th share completing the fixed t − 1 into shares of it.
        const completing = shareCompletingTo(fixed, alternative, x);
        expect(combineShares([...fixed, completing], threshold, secret.length)).toEqual(alternative);
      }),
      { numRuns: 100 },
    );
  });

  it('chunks secrets longer than 31 bytes and keeps a 32-byte key at 64-byte shares', () => {
    const key = new Uint8Array(32).map((_, i) => 255 - i);
    const shares = splitSecret(key, 3, [4, 9, 17, 22], random);
    expect(shares[0]!.y.length).toBe(64);
    expect(combineShares([shares[3]!, shares[1]!, shares[0]!], 3, 32)).toEqual(key);
  });

  it('draws fresh polynomials: sharing the same secret twice gives different shares', () => {
    const secret = new Uint8Array(32).fill(1);
    const a = splitSecret(secret, 2, [1, 2], random);
    const b = splitSecret(secret, 2, [1, 2], random);
    expect(a[0]!.y).not.toEqual(b[0]!.y);
  });

  it('refuses bad x-coordinates and too few shares with typed errors', () => {
    const secret = new Uint8Array(32).fill(9);
    expect(codeOf(() => splitSecret(secret, 2, [0, 1, 2], random))).toBe('INVALID_SHARE_X');
    expect(codeOf(() => splitSecret(secret, 2, [1, 2, 2], random))).toBe('DUPLICATE_SHARE_X');
    expect(codeOf(() => splitSecret(secret, 2, [1.5, 2], random))).toBe('INVALID_SHARE_X');
    expect(codeOf(() => splitSecret(secret, 2, [2 ** 32, 2], random))).toBe('INVALID_SHARE_X');
    const shares = splitSecret(secret, 3, [1, 2, 3, 4], random);
    expect(codeOf(() => combineShares(shares.slice(0, 2), 3, 32))).toBe('TOO_FEW_SHARES');
    expect(codeOf(() => combineShares([shares[0]!, shares[1]!, { x: 1, y: shares[2]!.y }], 3, 32))).toBe('DUPLICATE_SHARE_X');
    expect(codeOf(() => combineShares([{ x: 0, y: shares[0]!.y }, shares[1]!, shares[2]!], 3, 32))).toBe('INVALID_SHARE_X');
    expect(codeOf(() => combineShares([{ x: 1, y: shares[0]!.y.slice(1) }, shares[1]!, shares[2]!], 3, 32))).toBe('MALFORMED_SHARE');
    expect(codeOf(() => combineShares([{ x: 1, y: new Uint8Array(64).fill(0xff) }, shares[1]!, shares[2]!], 3, 32))).toBe('MALFORMED_SHARE');
    expect(() => splitSecret(secret, 5, [1, 2, 3], random)).toThrow(RangeError);
  });

  it('at SecAgg+ scale (k = 40 holders, t = 21, indices up to 2^32 − 1): recovers from any t, checks the rest, catches any one corrupted share', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 0xffff_ffff }), { minLength: 41, maxLength: 41 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(40),
        fc.nat(63),
        (xs, secret, corrupt, byte) => {
          const shares = splitSecret(secret, 21, xs, random);
          expect(combineShares(shares.slice(20), 21, 32)).toEqual(secret);
          expect(combineShares(shares, 21, 32)).toEqual(secret);
          const y = Uint8Array.from(shares[corrupt]!.y);
          y[byte]! ^= 0x01;
          const tampered = shares.map((share, i) => (i === corrupt ? { x: share.x, y } : share));
          // Detected as a chunk off the polynomial, or as a non-canonical element (≥ p): never a wrong secret.
          expect(['INCONSISTENT_SHARES', 'MALFORMED_SHARE']).toContain(codeOf(() => combineShares(tampered, 21, 32)));
        },
      ),
      { numRuns: 20 },
    );
  });

  it('detects a corrupted share when there are more shares than the threshold', () => {
    const secret = new Uint8Array(32).fill(3);
    const shares = splitSecret(secret, 3, [1, 2, 3, 4, 5], random);
    const bad = Uint8Array.from(shares[4]!.y);
    bad[0]! ^= 1;
    expect(codeOf(() => combineShares([...shares.slice(0, 4), { x: 5, y: bad }], 3, 32))).toBe('INCONSISTENT_SHARES');
  });
});
