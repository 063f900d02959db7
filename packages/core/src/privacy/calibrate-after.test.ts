import { describe, expect, it } from 'vitest';
import { calibrateNoiseMultiplierAfter } from './calibrate.js';
import { DpFedAvgRoundPolicy } from './dp-fedavg-round-policy.js';
import { PrivacyLedger } from './privacy-ledger.js';

const release = { samplingRate: 1, noiseMultiplier: 8, steps: 1 };

describe('calibrating the rounds after a release', () => {
  for (const accountant of ['rdp', 'pld'] as const) {
    it(`finds the least z whose rounds, composed with the release, meet the target (${accountant})`, () => {
      const ledger = new PrivacyLedger({ accountant });
      ledger.record(release);
      const { noiseMultiplier, epsilon } = calibrateNoiseMultiplierAfter(ledger, { targetEpsilon: 2, delta: 1e-5, samplingRate: 0.1, steps: 20 });
      const composed = (z: number) => {
        const probe = new PrivacyLedger({ accountant });
        probe.record(release);
        probe.record({ samplingRate: 0.1, noiseMultiplier: z, steps: 20 });
        return probe.epsilon(1e-5).epsilon;
      };
      expect(epsilon).toBeCloseTo(composed(noiseMultiplier), 12);
      expect(epsilon).toBeLessThanOrEqual(2);
      expect(composed(noiseMultiplier * 0.999)).toBeGreaterThan(2);
      // The ledger it was given is left as it was.
      expect(ledger.entries()).toHaveLength(1);
    });
  }

  it('refuses a target the release alone already spends', () => {
    const ledger = new PrivacyLedger();
    ledger.record({ samplingRate: 1, noiseMultiplier: 0.5, steps: 1 });
    expect(() => calibrateNoiseMultiplierAfter(ledger, { targetEpsilon: 1, delta: 1e-5, samplingRate: 0.1, steps: 10 })).toThrow(/already spends/);
  });

  it('the round policy reports a recorded release in its ε', () => {
    const policy = new DpFedAvgRoundPolicy({ noiseMultiplier: 1, targetEpsilon: Infinity, delta: 1e-5, clipNorm: 1, placement: 'distributed', samplingRate: 0.1 });
    expect(policy.epsilonSpent).toBe(0);
    policy.recordRelease(release);
    const alone = new PrivacyLedger();
    alone.record(release);
    expect(policy.epsilonSpent).toBeCloseTo(alone.epsilon(1e-5).epsilon, 12);
    expect(policy.ledgerJson().entries).toEqual([release]);
  });
});
