import { describe, expect, it } from 'vitest';
import { FedAdam } from '../optimisers/fed-adam.js';
import { FedAvg } from '../optimisers/fed-avg.js';
import { FedAvgM } from '../optimisers/fed-avg-m.js';
import type { ServerOptimiser } from '../optimisers/server-optimiser.js';
import { stepOrRollBack } from './step-or-roll-back.js';
import { maxUpdateNorm, NOISE_TAIL_STDS } from './update-norm-bound.js';

const optimisers: [string, () => ServerOptimiser][] = [
  ['fedavg', () => new FedAvg({ learningRate: 1 }, 3)],
  ['fedavgm', () => new FedAvgM({ learningRate: 1, momentum: 0.9 }, 3)],
  ['fedadam', () => new FedAdam({ learningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3 }, 3)],
];

describe('stepOrRollBack', () => {
  it.each(optimisers)('%s: a step that stays finite is applied', (_, make) => {
    const optimiser = make();
    const params = Float32Array.of(1, 2, 3);
    expect(stepOrRollBack(optimiser, params, Float64Array.of(0.5, -0.5, 0.25), 0)).toBe(true);
    expect(Array.from(params)).not.toEqual([1, 2, 3]);
  });

  // FedAdam moves each coordinate by at most ~η a step, so only the others can overflow.
  it.each(optimisers.slice(0, 2))('%s: a step that would overflow float32 leaves the model and the optimiser state exactly as they were', (_, make) => {
    const optimiser = make();
    const params = Float32Array.of(3e38, -1, 0.5);
    stepOrRollBack(optimiser, params, Float64Array.of(0.1, 0.1, 0.1), 0);
    const paramsBefore = params.slice();
    const stateBefore = structuredClone(optimiser.snapshot());
    expect(stepOrRollBack(optimiser, params, Float64Array.of(3.4e38, 1, 0), 0)).toBe(false);
    expect(Array.from(params)).toEqual(Array.from(paramsBefore));
    expect(optimiser.snapshot()).toEqual(stateBefore);
  });
});

describe('maxUpdateNorm', () => {
  it('is the clip norm plus the noise share\'s norm at √d + t standard deviations; the fallback without DP', () => {
    expect(maxUpdateNorm({ clipNorm: 2, clientNoiseMultiplier: 0.5 }, 400, 7)).toBe(2 + 0.5 * 2 * (20 + NOISE_TAIL_STDS));
    expect(maxUpdateNorm(null, 400, 7)).toBe(7);
  });
});
