import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { runEndToEndSimulation } from './end-to-end-simulation.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

describe('runEndToEndSimulation (real server and socket.io clients on 127.0.0.1)', () => {
  it('runs DP-FedAvg rounds over the wire, learns, and accounts ε per applied round', async () => {
    const population = new SyntheticPopulation({ shoppers: 80, items: 120, seed: 'e2e' });
    const epsilons: number[] = [];
    const cohorts: number[] = [];
    const result = await runEndToEndSimulation({
      population,
      dim: 8,
      rounds: 4,
      samplingRate: 0.5,
      privacy: { clipNorm: 0.5, noiseMultiplier: 0.3, delta: 1e-5, placement: 'distributed' },
      serverLearningRate: 10,
      evalShoppers: 80,
      evalEvery: 4,
      seed: 3,
      onRound: (r) => {
        epsilons.push(r.epsilon);
        cohorts.push(r.cohortSize);
      },
    });
    expect(result.rounds).toHaveLength(4);
    expect(result.model.version).toBe(4);
    // Poisson cohorts of 80 × 0.5 = 40 expected, every sampled client answers.
    for (const size of cohorts) expect(size).toBeGreaterThan(15);
    expect(result.clientUpdates).toBe(cohorts.reduce((a, b) => a + b, 0));
    for (let i = 1; i < epsilons.length; i++) expect(epsilons[i]).toBeGreaterThan(epsilons[i - 1]!);
    expect(result.evaluation.users).toBeGreaterThan(50);
    expect(result.evaluation.hr).toBeGreaterThan(0);
  });
});
