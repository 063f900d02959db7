import { describe, it, expect } from 'vitest';
import { epsilonForMechanisms } from '@fedrec/core';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { defaultServerLearningRate, meanItemsPerShopper } from '../runner/default-server-learning-rate.js';
import { planSimulation } from './plan-simulation.js';
import { HYBRID_DEFAULTS } from './simulate-defaults.js';
import type { PlannedField, SimulationPlan } from './plan-simulation.js';
import { SimulationChoiceError } from './simulation-choice-error.js';

// 400 shoppers: the noise-free schedule is q = 100/400 for 40 rounds.
const population = new SyntheticPopulation({ shoppers: 400, items: 80, seed: '1' });
const sourceOf = (plan: SimulationPlan, field: PlannedField) => plan.explanation.find((v) => v.field === field)?.source;

describe('planSimulation', () => {
  it('with no privacy or schedule choice, spends the ε of z = 1 on the noise-free schedule, on 4× the cohort in ¼ of the rounds', () => {
    const plan = planSimulation({}, population);
    const budget = epsilonForMechanisms({ mechanisms: [{ samplingRate: 0.25, noiseMultiplier: 1, steps: 40 }], delta: 1e-5 }).epsilon;
    expect(plan).toMatchObject({ algorithm: 'federated', mode: 'fast', defaultPrivacy: true, noisy: true, noiseFreeSchedule: { samplingRate: 0.25, rounds: 40 }, samplingRate: 1, rounds: 10 });
    expect(plan.privacy.targetEpsilon).toBeCloseTo(budget, 9);
    expect(sourceOf(plan, 'privacy.targetEpsilon')).toBe('default');
    // The same budget over fewer, larger rounds affords more noise per round.
    expect(plan.privacy.noiseMultiplier).toBeGreaterThan(1);
    const spent = epsilonForMechanisms({ mechanisms: [{ samplingRate: 1, noiseMultiplier: plan.privacy.noiseMultiplier, steps: 10 }], delta: 1e-5 }).epsilon;
    expect(spent).toBeLessThanOrEqual(budget * (1 + 1e-6));
    expect(spent).toBeGreaterThan(budget * 0.99);
  });

  it('plans the hybrid model with its own schedule, and the rounds\' z after the popularity release\'s share of ε', () => {
    const plan = planSimulation({ algorithm: 'hybrid' }, population);
    expect([plan.rounds, plan.samplingRate, plan.privacy.clipNorm, plan.serverLearningRate]).toEqual([HYBRID_DEFAULTS.rounds, HYBRID_DEFAULTS.samplingRate, HYBRID_DEFAULTS.clip, HYBRID_DEFAULTS.serverLearningRate]);
    expect(plan.privacy.targetEpsilon).toBe(HYBRID_DEFAULTS.epsilon);
    expect(plan.hybrid).toEqual(HYBRID_DEFAULTS.model);
    expect([plan.denoising, plan.maxModelNoiseStd]).toEqual([undefined, undefined]);
    // The rounds get less than all of ε, so more noise than rounds alone at that ε would need.
    const alone = planSimulation({ algorithm: 'federated', targetEpsilon: HYBRID_DEFAULTS.epsilon, rounds: plan.rounds, samplingRate: plan.samplingRate }, population);
    expect(plan.privacy.noiseMultiplier).toBeGreaterThan(alone.privacy.noiseMultiplier);
    const noiseless = planSimulation({ algorithm: 'hybrid', targetEpsilon: Infinity }, population);
    expect([noiseless.privacy.targetEpsilon, noiseless.privacy.noiseMultiplier, noiseless.noisy]).toEqual([undefined, 0, false]);
    expect(planSimulation({ algorithm: 'federated' }, population).hybrid).toBeUndefined();
  });

  it('with a catalogue and no algorithm chosen plans the hybrid model; without one, federated MF as before', () => {
    const { explanation, ...withCatalogue } = planSimulation({ catalogue: true }, population);
    const { explanation: chosenExplanation, ...hybrid } = planSimulation({ algorithm: 'hybrid' }, population);
    expect(withCatalogue).toEqual(hybrid);
    expect(explanation.find((v) => v.field === 'algorithm')).toMatchObject({ value: 'hybrid', source: 'default', why: expect.stringMatching(/catalogue/) });
    expect(chosenExplanation.find((v) => v.field === 'algorithm')).toMatchObject({ value: 'hybrid', source: 'chosen' });
    expect(planSimulation({ catalogue: true, algorithm: 'on-device' }, population).algorithm).toBe('on-device');
    expect(planSimulation({ catalogue: false }, population)).toEqual(planSimulation({}, population));
    expect(planSimulation({}, population).algorithm).toBe('federated');
  });

  it('keeps the noise-free schedule without noise, and z = 1 when a schedule choice is given', () => {
    expect(planSimulation({ noiseMultiplier: 0 }, population)).toMatchObject({ defaultPrivacy: false, noisy: false, samplingRate: 0.25, rounds: 40, privacy: { noiseMultiplier: 0 } });
    expect(planSimulation({ targetEpsilon: Infinity }, population)).toMatchObject({ noisy: false, rounds: 40, privacy: { noiseMultiplier: 0, targetEpsilon: undefined } });
    expect(planSimulation({ rounds: 3 }, population)).toMatchObject({ defaultPrivacy: false, samplingRate: 1, rounds: 3, privacy: { noiseMultiplier: 1, targetEpsilon: undefined } });
    expect(planSimulation({ noiseMultiplier: 2 }, population)).toMatchObject({ defaultPrivacy: false, samplingRate: 1, rounds: 10, privacy: { noiseMultiplier: 2 } });
  });

  it('derives the server learning rate from the catalogue and the schedule, capped under noise', () => {
    const plan = planSimulation({ noiseMultiplier: 0, rounds: 4, samplingRate: 0.25 }, population);
    const m = meanItemsPerShopper(population, { seed: '1' });
    expect(plan.meanItemsPerShopper).toBe(m);
    expect(plan.serverLearningRate).toBeCloseTo(defaultServerLearningRate({ items: 80, meanItemsPerShopper: m, rounds: 4, expectedCohort: 100 }), 9);
    expect(plan.maxModelNoiseStd).toBe(1);
    expect(sourceOf(plan, 'serverLearningRate')).toBe('derived');
  });

  it('takes an explicit server learning rate as is, uncapped, and a threshold of 0 turns denoising off', () => {
    const plan = planSimulation({ serverLearningRate: 500, denoiseThreshold: 0 }, population);
    expect(plan).toMatchObject({ serverLearningRate: 500, maxModelNoiseStd: undefined, meanItemsPerShopper: undefined, denoiseThreshold: 0, denoising: undefined });
    expect(sourceOf(plan, 'serverLearningRate')).toBe('chosen');
  });

  it('plans a fixed noise-free schedule the same way (the benchmark)', () => {
    const plan = planSimulation({ targetEpsilon: 2, noiseFreeSchedule: { samplingRate: 0.01, rounds: 60 } }, population);
    expect(plan).toMatchObject({ defaultPrivacy: false, samplingRate: 0.04, rounds: 15, privacy: { targetEpsilon: 2 } });
  });

  it('draws the e2e cohort from the shoppers with a client, and rejects a cohort larger than them', () => {
    const plan = planSimulation({ mode: 'e2e', clients: 200, noiseMultiplier: 0 }, population);
    expect(plan).toMatchObject({ participants: 200, samplingRate: 0.5, rounds: 40 });
    expect(planSimulation({ cohort: 100 }, population).samplingRate).toBe(0.25);
    expect(() => planSimulation({ mode: 'e2e', clients: 200, cohort: 300 }, population)).toThrow(SimulationChoiceError);
  });

  it('plans a baseline without noise or a server step, and explains every value', () => {
    const plan = planSimulation({ algorithm: 'popularity' }, population);
    expect(plan).toMatchObject({ noisy: false, defaultPrivacy: false, rounds: 40, privacy: { noiseMultiplier: 0 }, serverLearningRate: 1, meanItemsPerShopper: undefined });
    for (const v of planSimulation({}, population).explanation) expect(v.why.length).toBeGreaterThan(0);
  });
});
