import { runFederatedSimulation } from '@fedrec/sim';
import type { Population, FederatedSimulationConfig, SimulationWorkers } from '@fedrec/sim';

/** Where the throughput runs add DP noise (see benchmarks/simulation-throughput.ts). */
export type NoisePlacement = 'distributed' | 'local';

/** Enough rounds per run that its set-up (streams, first round of a run) is a small part of the time. */
export const THROUGHPUT_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);

/** The throughput benchmark's simulation: 32 dimensions, DP-FedAvg with z = 1, no evaluation until the end. */
export function throughputSettings(threads: number, population: Population, samplingRate: number, placement: NoisePlacement = 'distributed'): FederatedSimulationConfig {
  return {
    population,
    dim: 32,
    rounds: THROUGHPUT_ROUNDS,
    samplingRate,
    // distributed (the simulator's default): the round's sum carries the noise;
    // local: every client draws noise for all its coordinates, the costlier path.
    privacy: { clipNorm: 0.5, noiseMultiplier: 1, delta: 1e-5, placement },
    serverLearningRate: 20,
    evalShoppers: 1,
    evalEvery: 1_000_000,
    seed: 'throughput',
    threads,
  };
}

/** Client updates per second of one run with every shopper in every round (q = 1). */
export async function throughputUpdatesPerSecond(population: Population, threads: number, options: { placement?: NoisePlacement; workers?: SimulationWorkers } = {}): Promise<number> {
  const config = throughputSettings(threads, population, 1, options.placement);
  const result = await runFederatedSimulation(options.workers ? { ...config, workers: options.workers } : config);
  return result.clientUpdates / result.updateSeconds;
}
