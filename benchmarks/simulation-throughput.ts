/**
 * Fast-mode simulation throughput: client updates per second (local
 * training + clip + noise + aggregation) at MovieLens-100K scale, on one
 * thread and on one thread per core, measured in the same run; and the
 * memory of a simulation over 1,000,000 synthetic shoppers.
 *
 * Both sides are measured warm: the 1-thread runs after a warm-up run on the
 * main thread, the all-core runs on one set of worker threads
 * (`startSimulationWorkers`) after a warm-up run on them. A run on freshly
 * started workers — whose first few dozen updates run before the JIT has
 * compiled the training code — is reported on its own line.
 *
 * The headline figures use the simulator's default noise placement,
 * `distributed`: the round's sum gets one Gaussian draw per coordinate (what
 * secure aggregation with distributed noise delivers), so a client update
 * is local training + clip + aggregation. With `local` placement every
 * client also draws noise for all its 55,506 coordinates; those figures are
 * in the JSON as `localNoise…`.
 *
 *   npm run bench:simulation-throughput [-- --dataset ml-100k:PATH]
 *
 * Without --dataset it uses ../shared/data/ml-100k/u.data when present, else
 * a synthetic population of MovieLens-100K's size (943 × 1,682).
 * The last line of stdout is one JSON object.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { SyntheticPopulation, runFederatedSimulation, startSimulationWorkers } from '@fedrec/sim';
import type { Population, FederatedSimulationConfig } from '@fedrec/sim';
import { selectNodeBackend } from '@fedrec/client/node';
import { loadBenchmarkPopulation } from './src/bench-population.js';

tf.env().set('PROD', true);
await selectNodeBackend({ log: (line) => console.log(`# ${line}`) });
const cores = availableParallelism();
const population = await loadBenchmarkPopulation(process.argv.slice(2), { shoppers: 943, items: 1682 });
console.log(`# population ${population.name}: ${population.numShoppers} shoppers × ${population.numItems} items`);

// Enough rounds per run that its set-up (streams, first round of a run) is a small part of the time.
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

const workers = await startSimulationWorkers({ threads: cores });

async function updatesPerSecond(threads: number, placement: Placement = 'distributed', fresh = false): Promise<number> {
  // Every shopper in every round (q = 1): 943 client updates a round.
  const config = settings(threads, population, 1, placement);
  const result = await runFederatedSimulation(threads > 1 && !fresh ? { ...config, workers } : config);
  return result.clientUpdates / result.updateSeconds;
}

// Warm-up runs, then 1-thread and all-thread runs interleaved so both see the same machine load.
await updatesPerSecond(1);
await updatesPerSecond(cores);
const one: number[] = [];
const all: number[] = [];
for (let i = 0; i < 3; i++) {
  one.push(await updatesPerSecond(1));
  all.push(await updatesPerSecond(cores));
}
const best = (xs: number[]) => Math.max(...xs);
console.log(`# distributed noise — 1 thread: ${one.map((x) => x.toFixed(0)).join(', ')} updates/s; ${cores} threads: ${all.map((x) => x.toFixed(0)).join(', ')} updates/s; best ${(best(all) / best(one)).toFixed(2)}×`);
const localOne = await updatesPerSecond(1, 'local');
const localAll = await updatesPerSecond(cores, 'local');
console.log(`# local noise (every client noises all ${population.numItems * 33} coordinates) — 1 thread: ${localOne.toFixed(0)} updates/s; ${cores} threads: ${localAll.toFixed(0)} updates/s; ${(localAll / localOne).toFixed(2)}×`);
await workers.close();
// Last, so that starting and ending another set of workers cannot disturb
// the runs above: in one comparison on this machine, warm-set runs after
// such a set were ~10% slower (cause not found).
const coldAll = await updatesPerSecond(cores, 'distributed', true);
console.log(`# distributed noise — ${cores} freshly started worker threads (start-up excluded, JIT warm-up included): ${coldAll.toFixed(0)} updates/s`);

// Memory: a million shoppers exist only as seeds until drawn.
global.gc?.();
const before = process.memoryUsage().rss;
const million = new SyntheticPopulation({ shoppers: 1_000_000, items: 1682, seed: 'million' });
await runFederatedSimulation({ ...settings(1, million, 0.001), rounds: 2, evalShoppers: 100 });
const memMbMillion = process.memoryUsage().rss / 2 ** 20;
console.log(`# 1,000,000 shoppers: rss ${memMbMillion.toFixed(0)} MB after two rounds of ~1,000 (rss before building the population: ${(before / 2 ** 20).toFixed(0)} MB)`);

console.log(
  JSON.stringify({
    noisePlacement: 'distributed',
    clientUpdatesPerSec1: Math.round(best(one)),
    clientUpdatesPerSecAll: Math.round(best(all)),
    freshWorkersUpdatesPerSecAll: Math.round(coldAll),
    localNoiseUpdatesPerSec1: Math.round(localOne),
    localNoiseUpdatesPerSecAll: Math.round(localAll),
    cores,
    memMbMillion: Math.round(memMbMillion),
  }),
);
