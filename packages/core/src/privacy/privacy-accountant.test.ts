import { describe, expect, it } from 'vitest';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { SavedStateError } from '../state/saved-state.js';
import { calibrateNoiseMultiplier } from './calibrate.js';
import { DpFedAvgRoundPolicy } from './dp-fedavg-round-policy.js';
import { epsilonForMechanisms } from './mechanisms-epsilon.js';
import { pldEpsilon } from './pld-accountant.js';
import { createAccountant, isAccountantName } from './privacy-accountant.js';
import { PrivacyLedger } from './privacy-ledger.js';

// A short job (q = 0.1, z = 1.2), cheap enough to compose many times.
const job = { samplingRate: 0.1, noiseMultiplier: 1.2 } as const;
const delta = 1e-5;

describe('privacy accountant choice', () => {
  it('names: rdp and pld only', () => {
    expect(isAccountantName('rdp')).toBe(true);
    expect(isAccountantName('pld')).toBe(true);
    expect(isAccountantName('moments')).toBe(false);
    expect(() => createAccountant('moments' as 'rdp')).toThrow(RangeError);
  });

  it('pld reports min(PLD, RDP): never above rdp, and below it here', () => {
    const mechanisms = [{ ...job, steps: 20 }];
    const rdp = createAccountant('rdp').epsilon(mechanisms, delta);
    const pld = createAccountant('pld').epsilon(mechanisms, delta);
    expect(rdp).toBe(epsilonForMechanisms({ mechanisms, delta }).epsilon);
    expect(pld).toBe(Math.min(rdp, pldEpsilon(mechanisms, delta)));
    expect(pld).toBeLessThan(0.95 * rdp);
    expect(createAccountant('pld').delta(mechanisms, 1)).toBeLessThan(createAccountant('rdp').delta(mechanisms, 1));
  });

  it('calibration under pld needs less noise for the same ε, and meets the target', () => {
    const options = { targetEpsilon: 2, delta, samplingRate: 0.1, steps: 20 } as const;
    const rdp = calibrateNoiseMultiplier(options);
    const pld = calibrateNoiseMultiplier({ ...options, accountant: 'pld' });
    expect(pld.noiseMultiplier).toBeLessThan(rdp.noiseMultiplier);
    expect(pld.epsilon).toBeLessThanOrEqual(2);
    expect(createAccountant('pld').epsilon([{ samplingRate: 0.1, noiseMultiplier: pld.noiseMultiplier, steps: 20 }], delta)).toBeLessThanOrEqual(2);
    // 0.1% less noise would overspend: the σ found is the boundary.
    expect(createAccountant('pld').epsilon([{ samplingRate: 0.1, noiseMultiplier: pld.noiseMultiplier * 0.999, steps: 20 }], delta)).toBeGreaterThan(2);
  }, 120_000);
});

describe('PrivacyLedger with the PLD accountant', () => {
  it('records which accountant produced ε, and a ledger without the field is rdp', () => {
    const pld = new PrivacyLedger({ accountant: 'pld' });
    pld.record({ ...job, steps: 10 });
    const saved = pld.toJSON();
    expect(saved.accountant).toBe('pld');
    const restored = PrivacyLedger.fromJSON(JSON.stringify(saved));
    expect(restored.accountant).toBe('pld');
    expect(restored.epsilon(delta).epsilon).toBe(pld.epsilon(delta).epsilon);

    const rdp = new PrivacyLedger();
    rdp.record({ ...job, steps: 10 });
    // The bytes of an RDP ledger are what they were before the choice existed.
    expect('accountant' in rdp.toJSON()).toBe(false);
    expect(PrivacyLedger.fromJSON(rdp.toJSON()).accountant).toBe('rdp');
    expect(pld.epsilon(delta).epsilon).toBeLessThan(rdp.epsilon(delta).epsilon);
  });

  it('refuses an unknown accountant in saved state', () => {
    const saved = { ...new PrivacyLedger({ accountant: 'pld' }).toJSON(), accountant: 'moments' };
    expect(() => PrivacyLedger.fromJSON(saved)).toThrow(SavedStateError);
  });

  it('wouldExceed agrees with ε after recording', () => {
    const ledger = new PrivacyLedger({ accountant: 'pld' });
    ledger.record({ ...job, steps: 10 });
    const after = (() => {
      const copy = PrivacyLedger.fromJSON(ledger.toJSON());
      copy.record({ ...job, steps: 5 });
      return copy.epsilon(delta).epsilon;
    })();
    expect(ledger.wouldExceed({ ...job, steps: 5 }, after * 1.001, delta)).toBe(false);
    expect(ledger.wouldExceed({ ...job, steps: 5 }, after * 0.999, delta)).toBe(true);
  });
});

describe('DpFedAvgRoundPolicy with the PLD accountant', () => {
  const config = { noiseMultiplier: 1.2, targetEpsilon: 3, delta, clipNorm: 0.5, placement: 'distributed', samplingRate: 0.1 } as const;

  function run(accountant: 'rdp' | 'pld'): DpFedAvgRoundPolicy {
    const policy = new DpFedAvgRoundPolicy({ ...config, accountant }, { noiseSource: createSeededRandomSource('accountant') });
    for (let round = 0; round < 12; round++) {
      const plan = policy.planRound(1000);
      if (plan === null) throw new Error('budget ran out early');
      policy.applyRound(plan, new Float64Array(4), 100, 0);
    }
    return policy;
  }

  it('flows into the ledger: same seed, accountant pld recorded, smaller ε, more rounds left', () => {
    const rdp = run('rdp');
    const pld = run('pld');
    expect(rdp.ledgerJson().entries).toEqual(pld.ledgerJson().entries);
    expect(pld.ledgerJson().accountant).toBe('pld');
    expect(rdp.ledgerJson().accountant).toBeUndefined();
    expect(pld.accountant).toBe('pld');
    expect(pld.epsilonSpent).toBeLessThan(rdp.epsilonSpent);
    expect(pld.roundsRemaining).toBeGreaterThan(rdp.roundsRemaining);
  }, 120_000);

  it('refuses to restore a ledger kept with the other accountant', () => {
    const policy = new DpFedAvgRoundPolicy({ ...config, accountant: 'pld' }, { noiseSource: createSeededRandomSource('restore') });
    const ledger = new PrivacyLedger();
    ledger.record({ ...job, steps: 3 });
    expect(() => policy.restore({ ledger, clipNorm: 0.5, securelyAccounted: null })).toThrow(/kept with the pld accountant, got one kept with rdp/);
  });
});
