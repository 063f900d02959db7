import { describe, it, expect } from 'vitest';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { DpFedAvgRoundPolicy, securelyAccountedNoiseMultiplier } from './dp-fedavg-round-policy.js';
import { updateNoiseMultiplier } from './adaptive-clipping.js';

const base = { targetEpsilon: 8, delta: 1e-5, clipNorm: 0.5, samplingRate: 0.1 } as const;
const seeded = (label: string) => ({ noiseSource: createSeededRandomSource(label) });

describe('DpFedAvgRoundPolicy', () => {
  it('a secure round records its accounted z, never more than the configured z', () => {
    expect(securelyAccountedNoiseMultiplier(1.3, 1.1)).toBe(1.1);
    expect(securelyAccountedNoiseMultiplier(0.9, 1.1)).toBe(0.9);
    const policy = new DpFedAvgRoundPolicy({ ...base, noiseMultiplier: 1.1, placement: 'distributed' }, seeded('secure'));
    const plan = policy.planRound(100)!;
    policy.applyRound(plan, new Float64Array(4), 10, 0, { accountedNoiseMultiplier: 5 });
    expect(policy.ledgerJson().entries).toEqual([{ samplingRate: 0.1, noiseMultiplier: 1.1, steps: 1 }]);
    expect(policy.securelyAccounted).toBe(1.1);
  });

  it('distributed: each member adds z_Δ/√m of C, and the mean carries z_Δ C / n once topped up (σ ≠ 1)', () => {
    const adaptiveClipping = { targetQuantile: 0.5, learningRate: 0.2, countNoiseStd: 3 };
    const policy = new DpFedAvgRoundPolicy({ ...base, noiseMultiplier: 1.5, placement: 'distributed', adaptiveClipping }, seeded('distributed'));
    const zUpdate = updateNoiseMultiplier(1.5, 3);
    const plan = policy.planRound(400)!;
    expect(plan.expectedCohort).toBe(40);
    expect(plan.updateNoiseMultiplier).toBe(zUpdate);
    expect(plan.message.clientNoiseMultiplier).toBeCloseTo(zUpdate / Math.sqrt(40), 12);
    expect(plan.message.accountedNoiseMultiplier).toBe(1.5);
    const sigma = policy.applyRound(plan, new Float64Array(8), 20, 10);
    expect(sigma).toBeCloseTo((zUpdate * 0.5) / 20, 12);
    expect(policy.roundsAccounted).toBe(1);
  });

  it('without noise: nothing is recorded, ε is Infinity, and the clip bound still adapts', () => {
    const adaptiveClipping = { targetQuantile: 0.5, learningRate: 0.2, countNoiseStd: 1 };
    const policy = new DpFedAvgRoundPolicy({ ...base, targetEpsilon: Infinity, noiseMultiplier: 0, placement: 'distributed', adaptiveClipping }, seeded('none'));
    const plan = policy.planRound(100)!;
    expect(plan.message.clientNoiseMultiplier).toBe(0);
    policy.recordRound(plan, 10, { countNoise: createSeededRandomSource('count') });
    expect(policy.roundsAccounted).toBe(0);
    expect(policy.epsilonSpent).toBe(Infinity);
    expect(policy.clipNorm).toBeLessThan(0.5);
    expect(policy.planRound(100)).not.toBeNull();
  });
});
