/**
 * The simulation cluster against worker threads, at equal cores, in one run:
 * client updates per second of the same simulation (MovieLens-100K scale,
 * dim 32, every shopper every round, 8 rounds) on N worker threads in this
 * process and on N `fedrec worker` processes through Redis (N = the cores),
 * measured warm and interleaved so that all see the same machine load.
 *
 * Reported beside the rates:
 * - the cluster's overhead at equal cores (%; the issue's goal is ≤ 15%) and
 *   per chunk (extra core-milliseconds per cluster chunk: one block of the
 *   summation tree, 128 updates);
 * - the per-round serial cost S: the runner's own work in a round (posting
 *   the model and chunks, decoding and adding every partial sum: the
 *   executor reports it as `runnerMs`) plus Redis's CPU time (one thread
 *   serves every worker), split into a fixed part (rounds of one chunk) and
 *   a part per chunk. Counting both as serial is pessimistic: they overlap
 *   with the workers' compute;
 * - Amdahl's projection for 10 and 100 workers, T(k) = S + P/k with P the
 *   rest of a 1-worker round: for this benchmark's cohort (8 chunks of 128
 *   shoppers, so at most 8 workers help) and for a cohort of 100,000; and
 *   the ceiling no number of workers passes (128 updates over the runner's
 *   or Redis's time per chunk, whichever is longer);
 * - the bytes through Redis per round (from INFO; Redis may be shared, so an
 *   upper bound).
 *
 * On a 2-core machine the runner and Redis share the cores with the
 * workers, which the in-process threads do not have to: the overhead here
 * includes that contention; on machines where workers have cores of their
 * own it does not.
 *
 *   npm run bench:cluster:simulation [-- --redis redis://HOST:PORT] [--workers N] [--dataset ml-100k:PATH | --shoppers N]
 *
 * (`npm run bench:cluster` runs this and cluster-server.ts and combines both in one JSON line.)
 *
 * `--shoppers N`: a synthetic population of N shoppers × 1,682 items instead
 * of MovieLens-100K, for rounds of more chunks (the cluster's tail at block
 * granularity weighs less); BENCH_ROUNDS sets the rounds a run (default 8).
 *
 * The last line of stdout is one JSON object.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { createClient } from 'redis';
import { SyntheticPopulation, runFederatedSimulation, startSimulationWorkers } from '@fedrec/sim';
import type { FederatedSimulationConfig, Population } from '@fedrec/sim';
import { selectNodeBackend } from '@fedrec/client/node';
import { loadBenchmarkPopulation } from './src/bench-population.js';
import { throughputSettings } from './src/throughput-run.js';
import { ClusterWorkers } from './src/cluster-workers.js';

const argv = process.argv.slice(2);
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const url = flag('--redis') ?? 'redis://127.0.0.1:6379';
const n = Number(flag('--workers') ?? availableParallelism());
// One backend for both sides: worker threads take wasm or cpu, never tfjs-node.
const backend = 'wasm';
/** Shoppers in a cluster chunk: one block of the summation tree (8 × 16), the unit a worker takes and answers. */
const CHUNK = 128;

tf.env().set('PROD', true);
await selectNodeBackend({ force: backend, log: (line) => console.log(`# ${line}`) });
const shoppers = flag('--shoppers');
const population = shoppers
  ? new SyntheticPopulation({ shoppers: Number(shoppers), items: 1682, meanSessions: 8, seed: 'bench' })
  : await loadBenchmarkPopulation(argv, { shoppers: 943, items: 1682 });
const tiny = new SyntheticPopulation({ shoppers: 16, items: population.numItems, meanSessions: 8, seed: 'bench-tiny' });
console.log(`# population ${population.name}: ${population.numShoppers} shoppers × ${population.numItems} items; ${n} threads vs ${n} worker processes through ${url}`);

const prefixN = `fedrec-bench:${randomUUID()}`;
const prefix1 = `fedrec-bench:${randomUUID()}`;
const threads = await startSimulationWorkers({ threads: n, backend });
const workersN = await ClusterWorkers.start(n, url, prefixN, backend);
// A lone worker on a prefix of its own, for the Amdahl fit; idle, it costs one blocking read a second.
const worker1 = await ClusterWorkers.start(1, url, prefix1, backend);
const redis = createClient({ url });
await redis.connect();

interface Timing {
  readonly rate: number;
  readonly secondsPerRound: number;
  /** Cluster runs: the runner's own work and Redis's CPU time, per round. */
  readonly runnerSecondsPerRound: number;
  readonly redisSecondsPerRound: number;
  readonly redisBytesPerRound: number;
}

async function timed(config: FederatedSimulationConfig, prefix?: string): Promise<Timing> {
  const runnerMs = new Map<number, number>();
  const before = await redisCounters();
  const result = await runFederatedSimulation(prefix ? { ...config, cluster: { url, prefix, onProgress: (p) => runnerMs.set(p.step, p.runnerMs) } } : { ...config, workers: threads });
  const after = await redisCounters();
  const rounds = result.rounds.length;
  return {
    rate: result.clientUpdates / result.updateSeconds,
    secondsPerRound: result.updateSeconds / rounds,
    runnerSecondsPerRound: [...runnerMs.values()].reduce((a, b) => a + b, 0) / 1000 / rounds,
    redisSecondsPerRound: (after.cpuSeconds - before.cpuSeconds) / rounds,
    redisBytesPerRound: (after.bytes - before.bytes) / rounds,
  };
}
const settings = (p: Population) => throughputSettings(n, p, 1);
const onThreads = (p: Population = population) => timed(settings(p));
const onCluster = (prefix: string, p: Population = population) => timed(settings(p), prefix);

/** Redis's traffic and CPU time so far (INFO; on a shared Redis, others' share is included). */
async function redisCounters(): Promise<{ readonly bytes: number; readonly cpuSeconds: number }> {
  const info = await redis.info();
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? NaN);
  return { bytes: field('total_net_input_bytes') + field('total_net_output_bytes'), cpuSeconds: field('used_cpu_user') + field('used_cpu_sys') };
}

// Warm-up: JIT on the threads and in every worker process.
await onThreads();
await onCluster(prefixN);
await onCluster(prefix1);
const thread: Timing[] = [];
const cluster: Timing[] = [];
const single: Timing[] = [];
for (let i = 0; i < 3; i++) {
  thread.push(await onThreads());
  cluster.push(await onCluster(prefixN));
  single.push(await onCluster(prefix1));
}
// Rounds of a single chunk: what a round costs beyond its chunks' compute.
await onThreads(tiny);
await onCluster(prefix1, tiny);
const tinyThread: Timing[] = [];
const tinyCluster: Timing[] = [];
for (let i = 0; i < 3; i++) {
  tinyThread.push(await onThreads(tiny));
  tinyCluster.push(await onCluster(prefix1, tiny));
}
await Promise.all([threads.close(), workersN.close(), worker1.close()]);
const leftovers: string[] = [];
for (const prefix of [prefixN, prefix1]) for await (const keys of redis.scanIterator({ MATCH: `${prefix}:*` })) leftovers.push(...keys);
if (leftovers.length) await redis.del(leftovers);
await redis.close();

const best = (xs: Timing[]) => xs.reduce((a, b) => (b.rate > a.rate ? b : a));
const least = (xs: Timing[], key: keyof Timing) => Math.min(...xs.map((x) => x[key]));
const list = (xs: Timing[]) => xs.map((x) => x.rate.toFixed(0)).join(', ');
const chunksPerRound = Math.ceil(population.numShoppers / CHUNK);
const threadRate = best(thread).rate;
const clusterRate = best(cluster).rate;
const overheadPct = (threadRate / clusterRate - 1) * 100;
// Extra core-time per chunk: the difference in round time, times the cores, over the chunks.
const overheadMsPerChunk = ((least(cluster, 'secondsPerRound') - least(thread, 'secondsPerRound')) * n * 1000) / chunksPerRound;
const bytesPerRound = least(cluster, 'redisBytesPerRound');

// Amdahl, per round: T(k) = S + P/k. S: the runner's work and Redis's CPU (the fewest seen, the least disturbed by other load).
const serial = least(cluster, 'runnerSecondsPerRound') + least(cluster, 'redisSecondsPerRound');
const fixed = Math.min(serial, least(tinyCluster, 'runnerSecondsPerRound') + least(tinyCluster, 'redisSecondsPerRound'));
const perChunkSerial = (serial - fixed) / chunksPerRound;
const parallel = Math.max(0, least(single, 'secondsPerRound') - serial);
const perChunkParallel = parallel / chunksPerRound;
/** Updates/s with k workers for a round of `chunks` chunks (no more workers than chunks can help). */
const project = (k: number, chunks: number) => (chunks * CHUNK) / (fixed + chunks * perChunkSerial + (chunks * perChunkParallel) / Math.min(k, chunks));
// The runner and Redis work side by side: however many workers, a round cannot go faster than the busier of the two.
const perChunkRunner = (least(cluster, 'runnerSecondsPerRound') - least(tinyCluster, 'runnerSecondsPerRound')) / chunksPerRound;
const perChunkRedis = (least(cluster, 'redisSecondsPerRound') - least(tinyCluster, 'redisSecondsPerRound')) / chunksPerRound;
const ceiling = CHUNK / Math.max(perChunkRunner, perChunkRedis, 1e-9);
const bigCohort = 100_000;
const bigChunks = bigCohort / CHUNK;
const ms = (s: number) => Math.round(s * 1e5) / 100;
const fastest = (xs: Timing[]) => least(xs, 'secondsPerRound');

console.log(`# ${n} worker threads: ${list(thread)} updates/s; ${n} worker processes through Redis: ${list(cluster)} updates/s; 1 worker process: ${list(single)} updates/s`);
console.log(`# cluster overhead at ${n} cores: ${overheadPct.toFixed(1)}% (goal ≤ 15%), ${overheadMsPerChunk.toFixed(2)} core-ms per chunk of ${CHUNK} updates; Redis traffic ${(bytesPerRound / 1e6).toFixed(2)} MB per round of ${chunksPerRound} chunks`);
console.log(`# ceiling however many workers: ${ceiling.toFixed(0)} updates/s (runner ${ms(perChunkRunner)} ms, Redis CPU ${ms(perChunkRedis)} ms per chunk)`);
console.log(
  `# per round (${chunksPerRound} chunks): serial ${ms(serial)} ms (runner ${ms(least(cluster, 'runnerSecondsPerRound'))} ms + Redis CPU ${ms(least(cluster, 'redisSecondsPerRound'))} ms) = fixed ${ms(fixed)} ms + ${ms(perChunkSerial)} ms per chunk; parallel ${ms(parallel)} ms on one worker; ` +
    `rounds of one chunk: ${ms(fastest(tinyCluster))} ms on the cluster, ${ms(fastest(tinyThread))} ms on threads`,
);
for (const k of [10, 100]) {
  console.log(
    `# Amdahl, ${k} workers: this cohort (${chunksPerRound} chunks: at most ${chunksPerRound} workers help) ${project(k, chunksPerRound).toFixed(0)} updates/s (${((100 * project(k, chunksPerRound)) / (k * project(1, chunksPerRound))).toFixed(0)}% efficiency); ` +
      `a cohort of ${bigCohort.toLocaleString('en')} ${project(k, bigChunks).toFixed(0)} updates/s (${((100 * project(k, bigChunks)) / (k * project(1, bigChunks))).toFixed(0)}%)`,
  );
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
console.log(
  JSON.stringify({
    workers: n,
    backend,
    threadUpdatesPerSec: Math.round(threadRate),
    clusterUpdatesPerSec: Math.round(clusterRate),
    clusterOneWorkerUpdatesPerSec: Math.round(best(single).rate),
    clusterOverheadPct: round(overheadPct, 1),
    overheadMsPerChunk: round(overheadMsPerChunk),
    redisBytesPerRound: Math.round(bytesPerRound),
    chunksPerRound,
    serialMsPerRound: ms(serial),
    runnerMsPerRound: ms(least(cluster, 'runnerSecondsPerRound')),
    redisCpuMsPerRound: ms(least(cluster, 'redisSecondsPerRound')),
    fixedSerialMsPerRound: ms(fixed),
    serialMsPerChunk: round(perChunkSerial * 1000, 3),
    parallelMsPerChunk: round(perChunkParallel * 1000, 3),
    oneChunkRoundMsCluster: ms(fastest(tinyCluster)),
    oneChunkRoundMsThreads: ms(fastest(tinyThread)),
    ceilingUpdatesPerSec: Math.round(ceiling),
    amdahl: Object.fromEntries(
      [10, 100].map((k) => [
        `workers${k}`,
        {
          updatesPerSec: Math.round(project(k, chunksPerRound)),
          efficiency: round(project(k, chunksPerRound) / (k * project(1, chunksPerRound))),
          updatesPerSecCohort100k: Math.round(project(k, bigChunks)),
          efficiencyCohort100k: round(project(k, bigChunks) / (k * project(1, bigChunks))),
        },
      ]),
    ),
  }),
);
