import { describe, it, expect } from 'vitest';
import { chacha20 } from '@noble/ciphers/chacha.js';
import { expandMask } from './mask-prg.js';

const seed = new Uint8Array(32).map((_, i) => i);

describe('expandMask', () => {
  it('is the RFC 8439 ChaCha20 keystream (block counter 0, zero nonce) read as little-endian words', () => {
    const mask = expandMask(seed, 40);
    const keystream = chacha20(seed, new Uint8Array(12), new Uint8Array(160));
    const view = new DataView(keystream.buffer);
    for (let i = 0; i < 40; i++) expect(mask[i]).toBe(view.getUint32(4 * i, true));
  });

  it('is deterministic, prefix-stable, and differs between seeds', () => {
    const long = expandMask(seed, 1000);
    expect(expandMask(seed, 1000)).toEqual(long);
    expect(expandMask(seed, 333)).toEqual(long.subarray(0, 333));
    const other = Uint8Array.from(seed);
    other[0]! ^= 1;
    expect(expandMask(other, 1000)).not.toEqual(long);
  });

  it('overwrites a reused output buffer and handles lengths that are not whole blocks', () => {
    const out = new Uint32Array(17).fill(0xdeadbeef);
    expect(expandMask(seed, 17, out)).toEqual(expandMask(seed, 17));
    expect(expandMask(seed, 0)).toEqual(new Uint32Array(0));
    expect(() => expandMask(seed.subarray(1), 4)).toThrow(RangeError);
    expect(() => expandMask(seed, 4, new Uint32Array(5))).toThrow(RangeError);
  });

  it('has balanced bits over a long vector (a smoke test of the word order, not of ChaCha)', () => {
    const mask = expandMask(seed, 1 << 16);
    let ones = 0;
    for (const w of mask) for (let v = w; v !== 0; v &= v - 1) ones++;
    const bits = 32 * mask.length;
    // 6 standard deviations of Binomial(bits, 1/2).
    expect(Math.abs(ones - bits / 2)).toBeLessThan(6 * Math.sqrt(bits / 4));
  });
});
