import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DenoisedModel, createSharedModel } from '@fedrec/core/model';
import { createOptimiser } from './create-optimiser.js';
import { DenoisedFedAvg } from './denoised-fed-avg.js';
import { FedAdam } from './fed-adam.js';
import { FedAvgM } from './fed-avg-m.js';
import { FedAvg } from './fed-avg.js';

describe('server optimisers: known answers', () => {
  it('FedAvg moves by η·Δ̄', () => {
    const params = new Float32Array([1, -2]);
    new FedAvg({ learningRate: 0.5 }, 2).step(params, new Float64Array([0.25, 1]));
    expect(Array.from(params)).toEqual([1.125, -1.5]);
  });

  it('FedAvgM accumulates momentum: m = βm + Δ̄, x += ηm', () => {
    const params = new Float32Array([0]);
    const opt = new FedAvgM({ learningRate: 2, momentum: 0.5 }, 1);
    opt.step(params, new Float64Array([1])); // m = 1, x = 2
    opt.step(params, new Float64Array([1])); // m = 1.5, x = 5
    expect(params[0]).toBe(5);
    expect(opt.snapshot().arrays.momentum![0]).toBe(1.5);
    expect(opt.snapshot().step).toBe(2);
  });

  it('FedAdam follows Reddi et al. Algorithm 2, v starting at τ²', () => {
    const params = new Float32Array([0]);
    const [eta, b1, b2, tau] = [0.1, 0.9, 0.99, 0.01];
    new FedAdam({ learningRate: eta, beta1: b1, beta2: b2, tau }, 1).step(params, new Float64Array([0.5]));
    const m = (1 - b1) * 0.5;
    const v = b2 * tau * tau + (1 - b2) * 0.25;
    expect(params[0]).toBe(Math.fround((eta * m) / (Math.sqrt(v) + tau)));
  });

  it('a zero mean delta leaves FedAvg and fresh FedAvgM/FedAdam parameters unchanged', () => {
    for (const kind of ['fedavg', 'fedavgm', 'fedadam'] as const) {
      const params = new Float32Array([0.3, -0.7]);
      createOptimiser(kind === 'fedavg' ? { kind, learningRate: 1 } : kind === 'fedavgm' ? { kind, learningRate: 1, momentum: 0.9 } : { kind, learningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 }, 2).step(
        params,
        new Float64Array(2),
      );
      expect(Array.from(params)).toEqual(Array.from(new Float32Array([0.3, -0.7])));
    }
  });

  it('rejects a mean delta of the wrong length, and state of the wrong kind or size', () => {
    const opt = new FedAvgM({ learningRate: 1, momentum: 0.9 }, 3);
    expect(() => opt.step(new Float32Array(3), new Float64Array(2))).toThrow(RangeError);
    expect(() => opt.restore({ kind: 'fedadam', step: 0, arrays: {} })).toThrow(RangeError);
    expect(() => opt.restore({ kind: 'fedavgm', step: 0, arrays: { momentum: new Float64Array(2) } })).toThrow(RangeError);
  });
});

describe('server optimisers: resuming from a snapshot', () => {
  const configs = [
    { kind: 'fedavg', learningRate: 0.8 },
    { kind: 'fedavgm', learningRate: 0.8, momentum: 0.7 },
    { kind: 'fedadam', learningRate: 0.05, beta1: 0.8, beta2: 0.9, tau: 0.01 },
  ] as const;

  it.each(configs)('$kind continues bit for bit after restore', (config) => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }), { minLength: 2, maxLength: 6 }), (deltas) => {
        const split = Math.floor(deltas.length / 2);
        const straight = createOptimiser(config, 4);
        const paramsA = new Float32Array([0.1, 0.2, 0.3, 0.4]);
        for (const d of deltas) straight.step(paramsA, Float64Array.from(d));

        const before = createOptimiser(config, 4);
        const paramsB = new Float32Array([0.1, 0.2, 0.3, 0.4]);
        for (const d of deltas.slice(0, split)) before.step(paramsB, Float64Array.from(d));
        const snapshot = before.snapshot();
        const copy = { ...snapshot, arrays: Object.fromEntries(Object.entries(snapshot.arrays).map(([k, v]) => [k, Float64Array.from(v)])) };
        const after = createOptimiser(config, 4);
        after.restore(copy);
        for (const d of deltas.slice(split)) after.step(paramsB, Float64Array.from(d));
        expect(Array.from(paramsB)).toEqual(Array.from(paramsA));
        expect(after.snapshot().step).toBe(deltas.length);
      }),
      { numRuns: 50 },
    );
  });
});

describe('FedAvg with denoise', () => {
  const start = createSharedModel({ numItems: 6, dim: 2 }, { seed: 'denoised-fedavg' });
  const config = { kind: 'fedavg', learningRate: 2, denoise: { threshold: 0.7 } } as const;
  const means = Array.from({ length: 4 }, (_, t) => Float64Array.from(start.values, (_, i) => Math.sin(3 * t + i) * 0.4));

  it('sets the parameters to core’s DenoisedModel release of η·Δ̄ at σ_mean', () => {
    const optimiser = createOptimiser(config, start.values.length, start);
    expect(optimiser).toBeInstanceOf(DenoisedFedAvg);
    const reference = new DenoisedModel(start, config.denoise);
    const params = Float32Array.from(start.values);
    for (const mean of means) {
      optimiser.step(params, mean, 0.3);
      expect(Array.from(params)).toEqual(Array.from(reference.step(mean, 2, 0.3).values));
    }
    expect(optimiser.snapshot()).toMatchObject({ kind: 'fedavg', step: 4, scalars: { noiseVariance: reference.noiseStd ** 2 } });
  });

  it('continues bit for bit after restore, and starts afresh from a plain FedAvg state', () => {
    const straight = createOptimiser(config, start.values.length, start);
    const paramsA = Float32Array.from(start.values);
    for (const mean of means) straight.step(paramsA, mean, 0.3);
    const before = createOptimiser(config, start.values.length, start);
    const paramsB = Float32Array.from(start.values);
    for (const mean of means.slice(0, 2)) before.step(paramsB, mean, 0.3);
    const snapshot = before.snapshot();
    const copy = { ...snapshot, arrays: Object.fromEntries(Object.entries(snapshot.arrays).map(([k, v]) => [k, Float64Array.from(v)])) };
    // A different start: restore must bring back the original initial values.
    const after = createOptimiser(config, start.values.length, createSharedModel(start.shape, { seed: 'other' }));
    after.restore(copy);
    for (const mean of means.slice(2)) after.step(paramsB, mean, 0.3);
    expect(Array.from(paramsB)).toEqual(Array.from(paramsA));
    const fresh = createOptimiser(config, start.values.length, start);
    fresh.restore({ kind: 'fedavg', step: 5, arrays: {} });
    expect(fresh.snapshot()).toMatchObject({ step: 5, scalars: { noiseVariance: 0 } });
    expect(() => fresh.restore({ kind: 'fedavg', step: 1, arrays: { initial: new Float64Array(18), displacement: new Float64Array(18) } })).toThrow(RangeError);
    expect(() => createOptimiser(config, start.values.length)).toThrow(TypeError);
  });
});
