/**
 * Fast-mode simulation throughput: client updates per second (local
 * training + clip + noise + aggregation) at MovieLens-100K scale, on one
 * thread and on one thread per core, measured in the same run; and the
 * memory of a simulation over 1,000,000 synthetic shoppers.
 *
 *   npm run bench:simulation-throughput [-- --dataset ml-100k:PATH]
 *
 * Without --dataset it uses ../shared/data/ml-100k/u.data when present, else
 * a synthetic population of MovieLens-100K's size (943 × 1,682).
 * The last line of stdout is one JSON object.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { SyntheticPopulation, runFederatedSimulation } from '@fedrec/sim';
import type { Population, FederatedSimulationConfig } from '@fedrec/sim';
import { selectNodeBackend } from '@fedrec/client/node';
import { loadBenchmarkPopulation } from './src/bench-population.js';

tf.env().set('PROD', true);
await selectNodeBackend({ log: (line) => console.log(`# ${line}`) });
const cores = availableParallelism();
const population = await loadBenchmarkPopulation(process.argv.slice(2), { shoppers: 943, items: 1682 });
console.log(`# population ${population.name}: ${population.numShoppers} shoppers × ${population.numItems} items`);

// Enough rounds that worker start-up (JIT, wasm compile) is a small part of the time.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
type Placement = 'distributed' | 'local';
const settings = (threads: number, p: Population, samplingRate: number, placement: Placement = 'distributed'): FederatedSimulationConfig => ({
  population: p,
  dim: 32,
  rounds: ROUNDS,
  samplingRate,
  // distributed (the simulator's default): the round's sum carries the noise;
  // local: every client draws noise for all its coordinates, the costlier path.
  privacy: { clipNorm: 0.5, noiseMultiplier: 1, delta: 1e-5, placement },
  serverLearningRate: 20,
  evalShoppers: 1,
  evalEvery: 1_000_000,
  seed: 'throughput',
  threads,
});

async function updatesPerSecond(threads: number, placement: Placement = 'distributed'): Promise<number> {
  // Every shopper in every round (q = 1): 943 client updates a round.
  const result = await runFederatedSimulation(settings(threads, population, 1, placement));
  return result.clientUpdates / result.updateSeconds;
}

// Interleave 1-thread and all-thread runs so both see the same machine load.
const one: number[] = [];
const all: number[] = [];
await updatesPerSecond(1); // warm-up
for (let i = 0; i < 2; i++) {
  one.push(await updatesPerSecond(1));
  all.push(await updatesPerSecond(cores));
}
const best = (xs: number[]) => Math.max(...xs);
console.log(`# distributed noise — 1 thread: ${one.map((x) => x.toFixed(0)).join(', ')} updates/s; ${cores} threads: ${all.map((x) => x.toFixed(0)).join(', ')} updates/s`);
const localOne = await updatesPerSecond(1, 'local');
const localAll = await updatesPerSecond(cores, 'local');
console.log(`# local noise (every client noises all ${population.numItems * 33} coordinates) — 1 thread: ${localOne.toFixed(0)} updates/s; ${cores} threads: ${localAll.toFixed(0)} updates/s`);

// Memory: a million shoppers exist only as seeds until drawn.
global.gc?.();
const before = process.memoryUsage().rss;
const million = new SyntheticPopulation({ shoppers: 1_000_000, items: 1682, seed: 'million' });
await runFederatedSimulation({ ...settings(1, million, 0.001), rounds: 2, evalShoppers: 100 });
const memMbMillion = process.memoryUsage().rss / 2 ** 20;
console.log(`# 1,000,000 shoppers: rss ${memMbMillion.toFixed(0)} MB after two rounds of ~1,000 (rss before building the population: ${(before / 2 ** 20).toFixed(0)} MB)`);

console.log(
  JSON.stringify({
    clientUpdatesPerSec1: Math.round(best(one)),
    clientUpdatesPerSecAll: Math.round(best(all)),
    localNoiseUpdatesPerSec1: Math.round(localOne),
    localNoiseUpdatesPerSecAll: Math.round(localAll),
    cores,
    memMbMillion: Math.round(memMbMillion),
  }),
);
