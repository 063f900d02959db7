import { beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import type { FederatedSimulationConfig } from '../runner/federated-simulation.js';

/** Runner tests use tfjs's cpu backend in production mode (no debug checks). */
export function useCpuBackend(): void {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
  });
}

/**
 * A simulation small enough for a unit test and large enough to learn:
 * 3,000 synthetic shoppers × 200 items, cohorts of ~150, no noise, HR@10 on
 * 300 shoppers after the last round. `overrides` replace any field.
 */
export function smallSimulationConfig(populationSeed: string, overrides: Partial<FederatedSimulationConfig> = {}): FederatedSimulationConfig {
  const rounds = overrides.rounds ?? 12;
  return {
    population: new SyntheticPopulation({ shoppers: 3_000, items: 200, seed: populationSeed }),
    dim: 16,
    rounds,
    samplingRate: 0.05,
    privacy: { clipNorm: 0.5, noiseMultiplier: 0, delta: 1e-5, placement: 'distributed' },
    serverLearningRate: 20,
    evalShoppers: 300,
    evalEvery: rounds,
    seed: 7,
    ...overrides,
  };
}
