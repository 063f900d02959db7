import { describe, it, expect } from 'vitest';
import { buildPrivateUpdate } from './build-update.js';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { parameterCount } from '../model/shared-parameters.js';
import { l2Norm } from './clip.js';

const shape = { numItems: 2_000, dim: 31 };

function spikyDelta() {
  // A sparse delta (one shopper touched three items): the output must still be dense.
  const values = new Float32Array(parameterCount(shape));
  values[5] = 3;
  values[900] = -4;
  values[shape.numItems * shape.dim + 7] = 12;
  return { shape, baseVersion: 3, values };
}

describe('buildPrivateUpdate', () => {
  it('adds noise with standard deviation z·C to every coordinate (σ ≠ 1)', () => {
    const clipNorm = 2.5;
    const noiseMultiplier = 0.7; // σ = 1.75: a variance/std mix-up would show as 3.06
    const delta = { shape, baseVersion: 0, values: new Float32Array(parameterCount(shape)) };
    const { update, sigma } = buildPrivateUpdate(delta, { clipNorm, noiseMultiplier, noiseSource: createSeededRandomSource('noise-test') });
    expect(sigma).toBe(1.75);
    const n = update.values.length;
    let sum = 0;
    let sumSq = 0;
    let zeros = 0;
    for (const v of update.values) {
      sum += v;
      sumSq += v * v;
      if (v === 0) zeros++;
    }
    const mean = sum / n;
    const std = Math.sqrt(sumSq / n - mean * mean);
    // n = 64,000: the standard error of the std estimate is σ/√(2n) ≈ 0.005.
    expect(Math.abs(mean)).toBeLessThan(4 * (1.75 / Math.sqrt(n)));
    expect(std).toBeGreaterThan(1.75 - 0.025);
    expect(std).toBeLessThan(1.75 + 0.025);
    expect(zeros).toBe(0);
  });

  it('clips the whole delta to C before adding noise, without touching the input', () => {
    const delta = spikyDelta();
    const { update, normBefore, clipped } = buildPrivateUpdate(delta, { clipNorm: 1, noiseMultiplier: 0 });
    expect(normBefore).toBeCloseTo(13, 5);
    expect(clipped).toBe(true);
    expect(l2Norm(update.values)).toBeLessThanOrEqual(1);
    expect(update.values[900]).toBeCloseTo(-4 / 13, 5);
    expect(delta.values[900]).toBe(-4);
    expect(update.baseVersion).toBe(3);
  });

  it('is dense: noise covers coordinates the shopper never touched', () => {
    const { update } = buildPrivateUpdate(spikyDelta(), { clipNorm: 1, noiseMultiplier: 1, noiseSource: createSeededRandomSource(1) });
    expect(update.values.filter((v) => v === 0).length).toBe(0);
  });

  it('draws from the cryptographic source by default: two builds differ', () => {
    const a = buildPrivateUpdate(spikyDelta(), { clipNorm: 1, noiseMultiplier: 1 });
    const b = buildPrivateUpdate(spikyDelta(), { clipNorm: 1, noiseMultiplier: 1 });
    expect(a.update.values).not.toEqual(b.update.values);
  });

  it('the same seeded noise stream gives the same update', () => {
    const a = buildPrivateUpdate(spikyDelta(), { clipNorm: 1, noiseMultiplier: 1, noiseSource: createSeededRandomSource('s') });
    const b = buildPrivateUpdate(spikyDelta(), { clipNorm: 1, noiseMultiplier: 1, noiseSource: createSeededRandomSource('s') });
    expect(a.update.values).toEqual(b.update.values);
  });

  it('rejects a negative noise multiplier and a mis-sized delta', () => {
    expect(() => buildPrivateUpdate(spikyDelta(), { clipNorm: 1, noiseMultiplier: -1 })).toThrow(RangeError);
    expect(() => buildPrivateUpdate({ shape, baseVersion: 0, values: new Float32Array(3) }, { clipNorm: 1, noiseMultiplier: 0 })).toThrow(RangeError);
  });
});
