import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { addGaussianNoise } from '../random/gaussian.js';
import { createSharedModel } from './create-model.js';
import type { SharedModel } from './shared-parameters.js';
import { DenoisedModel, shrinkDisplacement } from './denoised-release.js';

const shape = { numItems: 4, dim: 3 };
const zeros = (n: number) => new Float32Array(n);

describe('shrinkDisplacement', () => {
  it('is initial + displacement at cut-off 0', () => {
    const initial = Float32Array.from({ length: 16 }, (_, i) => i / 10);
    const displacement = Float64Array.from({ length: 16 }, (_, i) => (i % 3) - 1.25);
    const out = shrinkDisplacement(initial, displacement, shape, 0);
    for (let i = 0; i < 16; i++) expect(out[i]).toBeCloseTo(initial[i]! + displacement[i]!, 6);
  });

  it('sets a row no longer than the cut-off back to its initial value and shortens a longer one by exactly the cut-off', () => {
    // cutoff 1 → row cut-off √3 ≈ 1.732.
    const displacement = new Float64Array(16);
    displacement.set([1, 1, 1], 0); // norm √3: at the cut-off → 0
    displacement.set([0, 3, 4], 3); // norm 5 → norm 5 − √3, same direction
    const initial = Float32Array.from({ length: 16 }, () => 0.5);
    const out = shrinkDisplacement(initial, displacement, shape, 1);
    expect(Array.from(out.subarray(0, 3))).toEqual([0.5, 0.5, 0.5]);
    const keep = 1 - Math.sqrt(3) / 5;
    expect(out[3]).toBeCloseTo(0.5, 6);
    expect(out[4]).toBeCloseTo(0.5 + 3 * keep, 5);
    expect(out[5]).toBeCloseTo(0.5 + 4 * keep, 5);
  });

  it('soft-thresholds biases around their mean displacement', () => {
    const displacement = new Float64Array(16);
    displacement.set([2, -1, 0.5, 2.5], 12); // mean 1
    const out = shrinkDisplacement(zeros(16), displacement, shape, 0.75);
    // offsets from the mean 1, −2, −0.5, 1.5 → 0.25, −1.25, 0, 0.75
    expect(out[12]).toBeCloseTo(1.25, 6);
    expect(out[13]).toBeCloseTo(-0.25, 6);
    expect(out[14]).toBeCloseTo(1, 6);
    expect(out[15]).toBeCloseTo(1.75, 6);
  });

  it('never lengthens a row, never turns it, and never moves a bias away from the mean', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 16, maxLength: 16 }), fc.double({ min: 0, max: 5, noNaN: true }), (values, cutoff) => {
        const displacement = Float64Array.from(values);
        const out = shrinkDisplacement(zeros(16), displacement, shape, cutoff);
        for (let item = 0; item < 4; item++) {
          const row = Array.from(displacement.subarray(item * 3, item * 3 + 3));
          const shrunk = Array.from(out.subarray(item * 3, item * 3 + 3));
          const norm = Math.hypot(...row);
          expect(Math.hypot(...shrunk)).toBeLessThanOrEqual(norm * (1 + 1e-6) + 1e-6);
          // Same direction: shrunk = k · row with 0 ≤ k ≤ 1.
          const dot = row.reduce((s, x, j) => s + x * shrunk[j]!, 0);
          expect(dot).toBeGreaterThanOrEqual(-1e-6);
        }
        const biases = Array.from(displacement.subarray(12));
        const mean = biases.reduce((a, b) => a + b, 0) / 4;
        for (let item = 0; item < 4; item++) expect(Math.abs(out[12 + item]! - mean)).toBeLessThanOrEqual(Math.abs(biases[item]! - mean) + 1e-5);
      }),
    );
  });
});

describe('DenoisedModel', () => {
  const initial: SharedModel = createSharedModel({ numItems: 2_000, dim: 8 }, { seed: 'denoise' });

  it('accumulates the noise variance of its steps: σ² = Σ (scale · σ_sum)²', () => {
    const server = new DenoisedModel(initial, { threshold: 1 });
    const sum = new Float64Array(initial.values.length);
    server.step(sum, 0.1, 2);
    server.step(sum, 0.05, 2);
    expect(server.noiseStd).toBeCloseTo(Math.sqrt(0.2 ** 2 + 0.1 ** 2), 12);
    expect(server.step(sum, 0.05, 0).version).toBe(3);
  });

  it('with a noiseless sum releases initial + Σ scale · sum, as FedAvg does', () => {
    const server = new DenoisedModel(initial, { threshold: 1 });
    const sum = Float64Array.from(initial.values, (_, i) => Math.sin(i));
    const released = server.step(sum, 0.5, 0);
    for (let i = 0; i < sum.length; i += 97) expect(released.values[i]).toBeCloseTo(initial.values[i]! + 0.5 * sum[i]!, 5);
  });

  it('recovers a few strong rows from noise far better than the raw average: less error, tail rows back at their start', () => {
    const { numItems, dim } = initial.shape;
    // 50 "popular" items with a consistent signal, 1,950 tail items with none; 100 rounds of noised sums.
    const signal = new Float64Array(initial.values.length);
    const random = createSeededRandomSource('signal');
    const direction = new Float32Array(signal.length);
    addGaussianNoise(direction, 1, random);
    for (let item = 0; item < 50; item++) for (let j = 0; j < dim; j++) signal[item * dim + j] = 0.3 * direction[item * dim + j]!;
    const server = new DenoisedModel(initial, { threshold: 1 });
    const raw = new Float64Array(signal.length);
    const rounds = 100;
    const sumNoiseStd = 1;
    const scale = 0.02;
    let released = initial;
    for (let t = 0; t < rounds; t++) {
      const noise = new Float32Array(signal.length);
      addGaussianNoise(noise, sumNoiseStd, createSeededRandomSource(`noise/${t}`));
      const sum = Float64Array.from(signal, (s, i) => s + noise[i]!);
      for (let i = 0; i < raw.length; i++) raw[i]! += scale * sum[i]!;
      released = server.step(sum, scale, sumNoiseStd);
    }
    const truth = (i: number) => rounds * scale * signal[i]!;
    let rawError = 0;
    let denoisedError = 0;
    for (let i = 0; i < numItems * dim; i++) {
      rawError += (raw[i]! - truth(i)) ** 2;
      denoisedError += (released.values[i]! - initial.values[i]! - truth(i)) ** 2;
    }
    expect(denoisedError).toBeLessThan(0.25 * rawError);
    let tailAtStart = 0;
    for (let item = 50; item < numItems; item++) if (released.values[item * dim] === initial.values[item * dim]) tailAtStart++;
    expect(tailAtStart / 1_950).toBeGreaterThan(0.4);
    // The popular rows survive and point the right way.
    let aligned = 0;
    for (let item = 0; item < 50; item++) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += (released.values[item * dim + j]! - initial.values[item * dim + j]!) * signal[item * dim + j]!;
      if (dot > 0) aligned++;
    }
    expect(aligned).toBe(50);
  });

  it('rejects bad arguments with a RangeError', () => {
    expect(() => new DenoisedModel(initial, { threshold: -1 })).toThrow(RangeError);
    const server = new DenoisedModel(initial, { threshold: 1 });
    expect(() => server.step(new Float64Array(3), 1, 0)).toThrow(RangeError);
    expect(() => server.step(new Float64Array(initial.values.length), 1, Number.NaN)).toThrow(RangeError);
  });
});

describe('DenoisedModel snapshot and restore', () => {
  const initial: SharedModel = createSharedModel({ numItems: 30, dim: 4 }, { seed: 'denoise-restore' });
  const sums = Array.from({ length: 6 }, (_, t) => {
    const sum = new Float64Array(initial.values.length);
    addGaussianNoise(sum, 1.5, createSeededRandomSource(`restore/${t}`));
    return sum;
  });

  it('a model restored from a copied snapshot continues bit for bit', () => {
    const straight = new DenoisedModel(initial, { threshold: 0.8 });
    let expected = initial;
    for (const sum of sums) expected = straight.step(sum, 0.3, 1.5);
    const before = new DenoisedModel(initial, { threshold: 0.8 });
    for (const sum of sums.slice(0, 3)) before.step(sum, 0.3, 1.5);
    const state = before.snapshot();
    const copy = { initial: Float32Array.from(state.initial), displacement: Float64Array.from(state.displacement), noiseVariance: state.noiseVariance };
    // A different starting model: restore must replace the initial values too.
    const after = new DenoisedModel(createSharedModel(initial.shape, { seed: 'other' }), { threshold: 0.8 });
    after.restore(copy);
    expect(Array.from(after.release())).toEqual(Array.from(before.release()));
    let resumed = initial;
    for (const sum of sums.slice(3)) resumed = after.step(sum, 0.3, 1.5);
    expect(Array.from(resumed.values)).toEqual(Array.from(expected.values));
    expect(after.noiseStd).toBe(straight.noiseStd);
  });

  it('rejects state of the wrong length or a bad variance', () => {
    const model = new DenoisedModel(initial, { threshold: 1 });
    const n = initial.values.length;
    expect(() => model.restore({ initial: new Float32Array(n - 1), displacement: new Float64Array(n), noiseVariance: 0 })).toThrow(RangeError);
    expect(() => model.restore({ initial: new Float32Array(n), displacement: new Float64Array(n + 1), noiseVariance: 0 })).toThrow(RangeError);
    expect(() => model.restore({ initial: new Float32Array(n), displacement: new Float64Array(n), noiseVariance: -1 })).toThrow(RangeError);
  });
});
