import { describe, it, expect } from 'vitest';
import { ctr } from '@noble/ciphers/aes.js';
import { expandMask } from './mask-prg.js';
import { nobleSecAggCrypto } from './noble-secagg-crypto.js';
import { nodeSecAggCrypto } from './node-secagg-crypto.js';
import { resolveSecAggCrypto } from './resolve-secagg-crypto.js';
import { webCryptoSecAggCrypto } from './web-crypto-secagg-crypto.js';

const seed = new Uint8Array(32).map((_, i) => i);
const implementations = [
  ['noble', nobleSecAggCrypto],
  ['webcrypto', webCryptoSecAggCrypto()],
  ['node', nodeSecAggCrypto()!],
] as const;

describe('expandMask', () => {
  it('is the FIPS 197 / SP 800-38A AES-256 keystream (counter block 0) read as little-endian words', async () => {
    // The keystream from @noble/ciphers' own CTR mode, compared with both of ours.
    const keystream = ctr(seed, new Uint8Array(16)).encrypt(new Uint8Array(160));
    const view = new DataView(keystream.buffer);
    for (const [, primitives] of implementations) {
      const mask = await expandMask(seed, 40, primitives);
      for (let i = 0; i < 40; i++) expect(mask[i]).toBe(view.getUint32(4 * i, true));
    }
    // The zero block under key 00…1f, from OpenSSL (aes-256-ecb): a third implementation.
    const first = Array.from(keystream.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
    expect(first).toBe('f29000b62a499fd0a9f39a6add2e7780');
  });

  it.each(implementations)('%s: deterministic, prefix-stable, different between seeds, and across its 1 MiB chunks', async (_name, primitives) => {
    const long = await expandMask(seed, 300_000, primitives); // 1.2 MB: more than one WebCrypto chunk
    expect(await expandMask(seed, 300_000, nobleSecAggCrypto)).toEqual(long);
    expect(await expandMask(seed, 333, primitives)).toEqual(long.subarray(0, 333));
    const other = Uint8Array.from(seed);
    other[0]! ^= 1;
    expect(await expandMask(other, 1000, primitives)).not.toEqual(long.subarray(0, 1000));
    expect(await expandMask(seed, 0, primitives)).toEqual(new Uint32Array(0));
    await expect(expandMask(seed.subarray(1), 4, primitives)).rejects.toThrow(RangeError);
  });

  it('the platform default in Node is node:crypto (the browser picks WebCrypto: see the web tests)', async () => {
    expect((await resolveSecAggCrypto()).name).toBe('node');
  });

  it('has balanced bits over a long vector (a smoke test of the word order, not of AES)', async () => {
    const mask = await expandMask(seed, 1 << 16);
    let ones = 0;
    for (const w of mask) for (let v = w; v !== 0; v &= v - 1) ones++;
    const bits = 32 * mask.length;
    // 6 standard deviations of Binomial(bits, 1/2).
    expect(Math.abs(ones - bits / 2)).toBeLessThan(6 * Math.sqrt(bits / 4));
  });
});
