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
 * Linear scaling is measured on this machine in the same run, not assumed:
 * `cores` copies of the 1-thread run, each in a process of its own, run at
 * once (`ceilingUpdatesPerSecAll`, their rates summed). They share nothing
 * but the hardware, so their total is the most `cores` threads of this
 * machine deliver for this work; `scalingEfficiency` is the runner's
 * all-core rate over that ceiling. Where the cores scale linearly the
 * ceiling is `cores`× the 1-thread rate; where they do not (vCPUs that
 * share a physical core, a loaded host), no runner can beat the ceiling and
 * the efficiency shows what coordination — chunk hand-out, summing, the
 * round barrier — costs on top.
 *
 * The headline figures use the simulator's default noise placement,
 * `distributed`: the round's sum gets one Gaussian draw per coordinate (what
 * secure aggregation with distributed noise delivers), so a client update
 * is local training + clip + aggregation. With `local` placement every
 * client also draws noise for all its 55,506 coordinates; those figures are
 * in the JSON as `localNoise…`.
 *
 * Every run here is under `--single-threaded-gc`, the node option `fedrec
 * simulate` runs under (packages/cli/src/simulation-node-options.ts): with
 * every core busy, V8's background GC tasks only compete with the workers.
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
import { selectNodeBackend } from '@fedrec/client/node';
import { loadBenchmarkPopulation } from './src/bench-population.js';
import { throughputSettings, throughputUpdatesPerSecond } from './src/throughput-run.js';
import { IndependentCopies } from './src/independent-copies.js';

tf.env().set('PROD', true);
await selectNodeBackend({ log: (line) => console.log(`# ${line}`) });
const cores = availableParallelism();
const argv = process.argv.slice(2);
const population = await loadBenchmarkPopulation(argv, { shoppers: 943, items: 1682 });
console.log(`# population ${population.name}: ${population.numShoppers} shoppers × ${population.numItems} items`);

const workers = await startSimulationWorkers({ threads: cores });
const copies = await IndependentCopies.start(cores, argv);
const onOneThread = () => throughputUpdatesPerSecond(population, 1);
const onAllThreads = () => throughputUpdatesPerSecond(population, cores, { workers });

// Warm-up runs (the copies warmed up as they started), then the three kinds of run interleaved so all see the same machine load.
await onOneThread();
await onAllThreads();
const one: number[] = [];
const all: number[] = [];
const ceiling: number[] = [];
for (let i = 0; i < 3; i++) {
  one.push(await onOneThread());
  all.push(await onAllThreads());
  ceiling.push(await copies.measure());
}
copies.close();
const best = (xs: number[]) => Math.max(...xs);
const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
console.log(`# distributed noise — 1 thread: ${list(one)} updates/s; ${cores} threads: ${list(all)} updates/s; best ${(best(all) / best(one)).toFixed(2)}×`);
console.log(
  `# ceiling — ${cores} independent copies of the 1-thread run at once: ${list(ceiling)} updates/s in all, best ${(best(ceiling) / best(one)).toFixed(2)}× the 1-thread rate; ` +
    `the ${cores}-thread runner reaches ${((100 * best(all)) / best(ceiling)).toFixed(0)}% of it`,
);
const localOne = await throughputUpdatesPerSecond(population, 1, { placement: 'local' });
const localAll = await throughputUpdatesPerSecond(population, cores, { placement: 'local', workers });
console.log(`# local noise (every client noises all ${population.numItems * 33} coordinates) — 1 thread: ${localOne.toFixed(0)} updates/s; ${cores} threads: ${localAll.toFixed(0)} updates/s; ${(localAll / localOne).toFixed(2)}×`);
await workers.close();
// Last, so that starting and ending another set of workers cannot disturb
// the runs above: in one comparison on this machine, warm-set runs after
// such a set were ~10% slower (cause not found).
const coldAll = await throughputUpdatesPerSecond(population, cores);
console.log(`# distributed noise — ${cores} freshly started worker threads (start-up excluded, JIT warm-up included): ${coldAll.toFixed(0)} updates/s`);

// Memory: a million shoppers exist only as seeds until drawn.
global.gc?.();
const before = process.memoryUsage().rss;
const million = new SyntheticPopulation({ shoppers: 1_000_000, items: 1682, seed: 'million' });
await runFederatedSimulation({ ...throughputSettings(1, million, 0.001), rounds: 2, evalShoppers: 100 });
const memMbMillion = process.memoryUsage().rss / 2 ** 20;
console.log(`# 1,000,000 shoppers: rss ${memMbMillion.toFixed(0)} MB after two rounds of ~1,000 (rss before building the population: ${(before / 2 ** 20).toFixed(0)} MB)`);

const round2 = (x: number) => Math.round(x * 100) / 100;
console.log(
  JSON.stringify({
    noisePlacement: 'distributed',
    clientUpdatesPerSec1: Math.round(best(one)),
    clientUpdatesPerSecAll: Math.round(best(all)),
    ceilingUpdatesPerSecAll: Math.round(best(ceiling)),
    scalingAll: round2(best(all) / best(one)),
    ceilingScalingAll: round2(best(ceiling) / best(one)),
    scalingEfficiency: round2(best(all) / best(ceiling)),
    freshWorkersUpdatesPerSecAll: Math.round(coldAll),
    localNoiseUpdatesPerSec1: Math.round(localOne),
    localNoiseUpdatesPerSecAll: Math.round(localAll),
    cores,
    memMbMillion: Math.round(memMbMillion),
  }),
);
