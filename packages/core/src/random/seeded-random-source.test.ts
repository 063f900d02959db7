import { describe, it, expect } from 'vitest';
import { createSeededRandomSource } from './seeded-random-source.js';

describe('createSeededRandomSource', () => {
  it('is reproducible from its seed, for single and bulk draws', () => {
    const a = createSeededRandomSource('s');
    const b = createSeededRandomSource('s');
    expect([a.nextFloat(), a.nextUint32()]).toEqual([b.nextFloat(), b.nextUint32()]);
    const wa = new Uint32Array(1000);
    const wb = new Uint32Array(1000);
    a.fillUint32(wa);
    b.fillUint32(wb);
    expect(wa).toEqual(wb);
    a.fillUint32(wa);
    expect(wa).not.toEqual(wb); // the bulk stream advances
    const c = createSeededRandomSource('t');
    const wc = new Uint32Array(1000);
    c.fillUint32(wc);
    expect(wc).not.toEqual(wb);
  });

  it('bulk words are uniform: every byte value about equally often, bits balanced', () => {
    const words = new Uint32Array(200_000);
    createSeededRandomSource('uniform').fillUint32(words);
    const counts = new Float64Array(256);
    let ones = 0;
    for (const w of words) {
      counts[w & 0xff]!++;
      counts[w >>> 24]!++;
      ones += (w >>> 31) & 1;
    }
    const expected = (2 * words.length) / 256;
    let chi2 = 0;
    for (const c of counts) chi2 += (c - expected) ** 2 / expected;
    // 255 degrees of freedom: the 99.9th percentile is ~330.
    expect(chi2).toBeLessThan(330);
    expect(Math.abs(ones / words.length - 0.5)).toBeLessThan(0.005);
  });
});
