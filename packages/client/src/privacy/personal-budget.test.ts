import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PrivacyLedger } from '@fedrec/core';
import { PersonalBudget } from './personal-budget.js';

const round = (accountedNoiseMultiplier: number, delta = 1e-5) => ({ accountedNoiseMultiplier, delta });

describe('PersonalBudget', () => {
  it('charges each participation as the Gaussian mechanism with q = 1 and the accounted noise multiplier', () => {
    const budget = new PersonalBudget(50);
    budget.charge(round(2.5));
    budget.charge(round(2.5));
    const reference = new PrivacyLedger();
    reference.record({ samplingRate: 1, noiseMultiplier: 2.5, steps: 2 });
    expect(budget.epsilon).toBe(reference.epsilon(1e-5).epsilon);
    expect(budget.rounds).toBe(2);
    // Not the amplified figure the server might quote for q = 0.01.
    const amplified = new PrivacyLedger();
    amplified.record({ samplingRate: 0.01, noiseMultiplier: 2.5, steps: 2 });
    expect(budget.epsilon).toBeGreaterThan(amplified.epsilon(1e-5).epsilon);
  });

  it('ε only grows, each charge is the rise, and the charges sum to at least the total', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.5, max: 20, noNaN: true }), { minLength: 1, maxLength: 8 }), (sigmas) => {
        const budget = new PersonalBudget(1e9);
        let previous = 0;
        let sum = 0;
        for (const sigma of sigmas) {
          const charge = budget.charge(round(sigma));
          expect(charge.epsilon).toBeGreaterThanOrEqual(0);
          expect(budget.epsilon).toBeCloseTo(previous + charge.epsilon, 9);
          expect(budget.epsilon).toBeGreaterThanOrEqual(previous);
          previous = budget.epsilon;
          sum += charge.epsilon;
        }
        expect(sum).toBeGreaterThanOrEqual(budget.epsilon - 1e-9);
      }),
      { numRuns: 30 },
    );
  });

  it('declines the round that would take ε over the budget, and never after one that fits', () => {
    const epsilonAfter = (steps: number): number => {
      const ledger = new PrivacyLedger();
      ledger.record({ samplingRate: 1, noiseMultiplier: 3, steps });
      return ledger.epsilon(1e-5).epsilon;
    };
    // Room for two rounds, not three (RDP composes sublinearly, so not 2.5 × one round).
    const limit = (epsilonAfter(2) + epsilonAfter(3)) / 2;
    const budget = new PersonalBudget(limit);
    expect(budget.wouldExceed(round(3))).toBe(false);
    budget.charge(round(3));
    expect(budget.wouldExceed(round(3))).toBe(false);
    budget.charge(round(3));
    expect(budget.wouldExceed(round(3))).toBe(true);
    expect(budget.epsilon).toBeLessThanOrEqual(limit);
    // A round with no noise can never fit a finite budget.
    expect(new PersonalBudget(1000).wouldExceed(round(0))).toBe(true);
  });

  it('reports at the smallest δ seen, and checks a round at the smaller of that and its own', () => {
    const budget = new PersonalBudget(100);
    budget.charge(round(2, 1e-6));
    budget.charge(round(2, 1e-3));
    expect(budget.delta).toBe(1e-6);
    const reference = new PrivacyLedger();
    reference.record({ samplingRate: 1, noiseMultiplier: 2, steps: 2 });
    expect(budget.epsilon).toBe(reference.epsilon(1e-6).epsilon);
  });

  it('survives a store round trip bit for bit', () => {
    const budget = new PersonalBudget(20);
    budget.charge(round(1.7, 1e-5));
    budget.charge(round(4, 1e-5));
    const restored = new PersonalBudget(20, JSON.parse(JSON.stringify(budget.toStored())));
    expect(restored.epsilon).toBe(budget.epsilon);
    expect(restored.rounds).toBe(2);
  });

  it('rejects a budget that is not a positive finite ε', () => {
    expect(() => new PersonalBudget(0)).toThrow(/personalBudget.epsilon to be finite and > 0, got 0/);
    expect(() => new PersonalBudget(Infinity)).toThrow(RangeError);
  });
});
