import { describe, it, expect } from 'vitest';
import { runFederatedSimulation } from './federated-simulation.js';
import { smallSimulationConfig, useCpuBackend } from '../test-support/small-simulation.js';

// The runner's noise-aware options: maxModelNoiseStd (a cap on the server step) and denoising.
useCpuBackend();

const base = smallSimulationConfig('noise-aware', {
  dim: 8,
  rounds: 16,
  privacy: { clipNorm: 0.5, noiseMultiplier: 1, delta: 1e-5, placement: 'distributed' },
  seed: 11,
});

describe('maxModelNoiseStd', () => {
  it('caps the step at maxModelNoiseStd · n / (z·C · √rounds) under noise, and leaves it alone without', async () => {
    const steps: number[] = [];
    await runFederatedSimulation({ ...base, rounds: 4, serverLearningRate: 1e6, maxModelNoiseStd: 0.5, onRound: (r) => steps.push(r.serverLearningRate!) });
    const n = 0.05 * 3_000;
    expect(steps).toHaveLength(4);
    for (const eta of steps) expect(eta).toBeCloseTo((0.5 * n) / (1 * 0.5 * Math.sqrt(4)), 9);
    const small: number[] = [];
    await runFederatedSimulation({ ...base, rounds: 2, maxModelNoiseStd: 0.5, onRound: (r) => small.push(r.serverLearningRate!) });
    expect(small).toEqual([20, 20]);
    const noiseless: number[] = [];
    await runFederatedSimulation({ ...base, rounds: 2, serverLearningRate: 1e6, maxModelNoiseStd: 0.5, privacy: { ...base.privacy, noiseMultiplier: 0 }, onRound: (r) => noiseless.push(r.serverLearningRate!) });
    expect(noiseless).toEqual([1e6, 1e6]);
  });

  it('with local noise, counts the noise of every expected contributor', async () => {
    const steps: number[] = [];
    await runFederatedSimulation({ ...base, rounds: 1, serverLearningRate: 1e6, maxModelNoiseStd: 1, privacy: { ...base.privacy, placement: 'local' }, onRound: (r) => steps.push(r.serverLearningRate!) });
    const n = 0.05 * 3_000;
    expect(steps[0]).toBeCloseTo(n / (0.5 * Math.sqrt(n)), 9);
  });
});

describe('denoising', () => {
  it('changes nothing without noise', async () => {
    const plain = await runFederatedSimulation({ ...base, rounds: 3, privacy: { ...base.privacy, noiseMultiplier: 0 } });
    const denoised = await runFederatedSimulation({ ...base, rounds: 3, privacy: { ...base.privacy, noiseMultiplier: 0 }, denoising: { threshold: 1 } });
    expect(Array.from(denoised.model.values)).toEqual(Array.from(plain.model.values));
  });

  it('under noise, beats plain FedAvg with the same steps, and spends the same ε', async () => {
    const config = { ...base, rounds: 40, evalEvery: 40, serverLearningRate: 1e6, maxModelNoiseStd: 1 };
    const plain = await runFederatedSimulation(config);
    const denoised = await runFederatedSimulation({ ...config, denoising: { threshold: 1 } });
    expect(denoised.epsilon).toBe(plain.epsilon);
    expect(denoised.evaluation.hr).toBeGreaterThan(plain.evaluation.hr + 0.05);
    // Same seed, same numbers.
    const again = await runFederatedSimulation({ ...config, denoising: { threshold: 1 } });
    expect(Array.from(again.model.values)).toEqual(Array.from(denoised.model.values));
  });
});
