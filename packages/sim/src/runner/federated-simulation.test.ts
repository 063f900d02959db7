import { describe, it, expect } from 'vitest';
import { runFederatedSimulation } from './federated-simulation.js';
import { startSimulationWorkers } from './simulation-workers.js';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { smallSimulationConfig, useCpuBackend } from '../test-support/small-simulation.js';

useCpuBackend();

const base = smallSimulationConfig('sim-test');

describe('runFederatedSimulation', () => {
  it('learns: HR@10 well above the untrained model and the random baseline (0.10)', async () => {
    const untrained = await runFederatedSimulation({ ...base, rounds: 1, serverLearningRate: 1e-9 });
    const trained = await runFederatedSimulation(base);
    expect(untrained.evaluation.hr).toBeLessThan(0.2);
    expect(trained.evaluation.hr).toBeGreaterThan(untrained.evaluation.hr + 0.15);
    expect(trained.epsilon).toBe(Infinity);
  });

  it('same seed, same numbers — on one thread or on worker threads', async () => {
    const a = await runFederatedSimulation({ ...base, rounds: 3 });
    const b = await runFederatedSimulation({ ...base, rounds: 3 });
    expect(Array.from(b.model.values)).toEqual(Array.from(a.model.values));
    expect(b.evaluation).toEqual(a.evaluation);
    const threaded = await runFederatedSimulation({ ...base, rounds: 3, threads: 2, backend: 'cpu' });
    expect(threaded.threads).toBe(2);
    expect(Array.from(threaded.model.values)).toEqual(Array.from(a.model.values));
    expect(threaded.evaluation).toEqual(a.evaluation);
  });

  it('same numbers on started workers reused across simulations, with local noise too; one simulation at a time', async () => {
    const local = { ...base, rounds: 2, privacy: { ...base.privacy, noiseMultiplier: 0.7, placement: 'local' as const } };
    const other = new SyntheticPopulation({ shoppers: 400, items: 120, seed: 'sim-test-other' });
    const inProcess = [await runFederatedSimulation({ ...base, rounds: 3 }), await runFederatedSimulation(local), await runFederatedSimulation({ ...base, population: other, rounds: 2 })];
    const workers = await startSimulationWorkers({ threads: 2, backend: 'cpu' });
    try {
      // Twice the same population, then another one, then the first again: each run on the same workers.
      const runs = [{ ...base, rounds: 3 }, local, { ...base, population: other, rounds: 2 }, { ...base, rounds: 3 }];
      const expected = [...inProcess, inProcess[0]!];
      for (const [k, config] of runs.entries()) {
        const result = await runFederatedSimulation({ ...config, workers });
        expect(result.threads).toBe(2);
        expect(Array.from(result.model.values)).toEqual(Array.from(expected[k]!.model.values));
        expect(result.evaluation).toEqual(expected[k]!.evaluation);
      }
      const first = runFederatedSimulation({ ...base, rounds: 1, workers });
      await expect(runFederatedSimulation({ ...base, rounds: 1, workers })).rejects.toThrow(/running another simulation/);
      await first;
    } finally {
      await workers.close();
    }
    await expect(runFederatedSimulation({ ...base, rounds: 1, workers })).rejects.toThrow(/closed/);
  });

  it('with noise, spends ε that grows every round and matches a calibrated target', async () => {
    const reports: number[] = [];
    const noisy = await runFederatedSimulation({ ...base, rounds: 4, privacy: { ...base.privacy, noiseMultiplier: 1.1 }, onRound: (r) => reports.push(r.epsilon) });
    expect(reports).toHaveLength(4);
    for (let i = 1; i < reports.length; i++) expect(reports[i]).toBeGreaterThan(reports[i - 1]!);
    expect(noisy.epsilon).toBe(reports[3]);
    const calibrated = await runFederatedSimulation({ ...base, rounds: 4, privacy: { ...base.privacy, targetEpsilon: 2 } });
    expect(calibrated.epsilon).toBeLessThanOrEqual(2);
    expect(calibrated.epsilon).toBeGreaterThan(1.99);
  });
});

describe('runFederatedSimulation with adaptive clipping', () => {
  it('moves the clip bound towards the target quantile of update norms', async () => {
    const clipNorms: number[] = [];
    const fractions: number[] = [];
    await runFederatedSimulation({
      ...base,
      rounds: 25,
      evalEvery: 25,
      privacy: { ...base.privacy, clipNorm: 0.01, noiseMultiplier: 1, adaptiveClipping: { targetQuantile: 0.5, learningRate: 0.5 } },
      onRound: (r) => {
        clipNorms.push(r.clipNorm);
        fractions.push(r.clippedFraction);
      },
    });
    // Starting far below every norm, the bound grows until about half the updates are clipped.
    expect(clipNorms.at(-1)!).toBeGreaterThan(10 * clipNorms[0]!);
    expect(fractions[0]).toBe(1);
    const late = fractions.slice(-8).reduce((a, b) => a + b, 0) / 8;
    expect(late).toBeGreaterThan(0.25);
    expect(late).toBeLessThan(0.75);
  });
});
