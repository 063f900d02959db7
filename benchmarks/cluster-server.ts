/**
 * The server cluster: 1, 2 and 3 `fedrec server` node processes (one
 * Redis, one shared model directory) ingesting the same load — `--clients`
 * shoppers (default 48) spread evenly over the nodes, every shopper in
 * every round, a 1,682 × 16 model (112 KiB per update) — for `--rounds`
 * rounds each (default 11). The first round of each run is a warm-up (the
 * coordinator's code is compiled by the JIT during it: its serial cost was
 * several times a later round's) and is reported apart, not averaged in.
 *
 * Reported per node count:
 * - updates/s: accepted updates over the time from the first round's
 *   announcement to the last round's published model;
 * - the coordinator's cost per round, from its `coordinatorRoundCost`
 *   events: decoding the partial sums, summing them, the privacy policy and
 *   optimiser step, the checkpoint write (fsync included), and the bytes of
 *   partial sums through Redis;
 * - the checkpoint write alone, in this process (same model size, no
 *   load): the in-memory part (encode, and decode to verify, which the
 *   store does so as never to write a file it could not load) against the
 *   write with its two fsyncs (file, then directory), which the write-ahead
 *   rule needs before a model is published;
 * - the coordinator's per-node work measured alone at 1, 10 and 100
 *   partial sums (benchmarks/src/coordinator-combine.ts): the fetch out of
 *   Redis, decoding, adding in node order;
 * - the per-round serial cost S(N) = the fixed part (step and checkpoint,
 *   averaged over the cluster runs) + combining N partial sums (measured
 *   alone, above), and what it implies at 10 and 100 nodes: Amdahl (the
 *   same total load over more nodes: T(N) = S(N) + P₁/N) and scaled (each
 *   node keeps its load, so the round's parallel part stays P₁: the share
 *   of a round the coordinator's serial work takes then, which the issue's
 *   goal — ≤ 5% at 100 nodes — is about; `goal.met` in the JSON), and the
 *   round length from which 100 nodes' serial work is ≤ 5% of a round.
 *   Here shoppers answer at once, so rounds are far shorter than real ones
 *   (which wait for on-device training);
 * - a projection, not built: tree combining (aggregators summing groups of
 *   10 partial sums in parallel before the coordinator), from the measured
 *   cost of combining 10.
 *
 * All processes (nodes, Redis, and the shoppers' clients in this process)
 * share the machine's cores: on a 2-core machine more nodes cannot ingest
 * faster, and the updates/s figures say so; the coordinator's costs are
 * per round and do not depend on it.
 *
 *   npm run bench:cluster:server [-- --redis redis://HOST:PORT] [--clients N] [--rounds R]
 *
 * The last line of stdout is one JSON object.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { createSeededRandomSource, parameterCount } from '@fedrec/core';
import type { ModelUpdate } from '@fedrec/core';
import { createRoundParticipant, type RoundParticipant } from '@fedrec/client';
import { CheckpointStore, decodeCheckpoint, encodeCheckpoint, issueToken, type CheckpointData } from '@fedrec/server';
import { ServerNodeProcess, type NodeLine } from '../test/cluster/server-node-process.js';
import { measureCombine, type CombineCost } from './src/coordinator-combine.js';

const argv = process.argv.slice(2);
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const url = flag('--redis') ?? 'redis://127.0.0.1:6379';
const clients = Number(flag('--clients') ?? 48);
const rounds = Number(flag('--rounds') ?? 11);
if (!Number.isSafeInteger(rounds) || rounds < 2) throw new Error('--rounds: at least 2 (the first is a warm-up)');
const SHAPE = { numItems: 1682, dim: 16 };
const floats = parameterCount(SHAPE);
const secret = randomBytes(32).toString('hex');

interface Run {
  readonly nodes: number;
  readonly updatesPerSecond: number;
  readonly roundMs: number;
  readonly decodeMs: number;
  readonly combineMs: number;
  readonly applyMs: number;
  readonly commitMs: number;
  readonly partialBytes: number;
  readonly serialMs: number;
  /** The first (warm-up) round's serial cost, not in the means. */
  readonly warmUpSerialMs: number;
}


const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** One shopper's fixed update (the load, not learning, is measured). */
function delta(index: number, baseVersion: number): ModelUpdate {
  const random = createSeededRandomSource(`bench/${index}`);
  return { shape: SHAPE, baseVersion, values: Float32Array.from({ length: floats }, () => (random.nextFloat() * 2 - 1) * 1e-3) };
}

async function run(nodeCount: number): Promise<Run> {
  const prefix = `fedrec-bench:${randomUUID()}`;
  const modelDir = await mkdtemp(join(tmpdir(), 'fedrec-bench-cluster-'));
  const config = {
    host: '127.0.0.1',
    port: 0,
    modelDir,
    model: { ...SHAPE, seed: 'bench' },
    auth: { tokenSecret: secret },
    rounds: { minClients: clients, sampling: { kind: 'poisson', rate: 1 }, minUpdates: clients, timeoutMs: 120_000 },
    logLevel: 'silent',
    cluster: { url, prefix, leaseMs: 5_000, heartbeatTtlMs: 3_000, partialGraceMs: 2_000 },
  };
  const nodes = await Promise.all(Array.from({ length: nodeCount }, () => ServerNodeProcess.start(config)));
  const participants: RoundParticipant[] = [];
  try {
    const coordinator = await Promise.any(nodes.map((node) => node.next((line) => line.event === 'coordinator' && line.held === true).then(() => node)));
    const updates = Array.from({ length: clients }, (_, index) => delta(index, 0));
    for (let index = 0; index < clients; index++) {
      const { token } = issueToken({ secret, clientId: `bench-${index}` });
      const participant = createRoundParticipant({
        url: nodes[index % nodeCount]!.url,
        token,
        train: ({ model }) => (model.version < rounds ? { update: { ...updates[index]!, baseVersion: model.version } } : null),
      });
      participants.push(participant);
      participant.start();
    }
    const last = await coordinator.next((line) => line.event === 'roundClosed' && line.outcome === 'applied' && line.modelVersion === rounds, 600_000);
    void last;
    const [warmUp, ...costs] = coordinator.lines.filter((line): line is NodeLine & Record<string, number> => line.event === 'coordinatorRoundCost');
    const serialOf = (cost: Record<string, number>): number => Number(cost.decodeMs) + Number(cost.combineMs) + Number(cost.applyMs) + Number(cost.commitMs);
    const totalMs = costs.reduce((sum, cost) => sum + Number(cost.durationMs), 0);
    const pick = (field: string): number => mean(costs.map((cost) => Number(cost[field])));
    const serialMs = pick('decodeMs') + pick('combineMs') + pick('applyMs') + pick('commitMs');
    return {
      nodes: nodeCount,
      updatesPerSecond: (costs.length * clients) / (totalMs / 1000),
      roundMs: pick('durationMs'),
      decodeMs: pick('decodeMs'),
      combineMs: pick('combineMs'),
      applyMs: pick('applyMs'),
      commitMs: pick('commitMs'),
      partialBytes: pick('partialBytes'),
      serialMs,
      warmUpSerialMs: serialOf(warmUp!),
    };
  } finally {
    for (const participant of participants) participant.stop();
    await Promise.all(nodes.map((node) => node.kill('SIGTERM')));
    await rm(modelDir, { recursive: true, force: true });
    const redis = createClient({ url });
    await redis.connect();
    const keys: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) keys.push(...batch);
    if (keys.length > 0) await redis.del(keys);
    await redis.close();
  }
}

console.log(`# ${clients} shoppers, ${rounds} rounds per run, model ${SHAPE.numItems}×${SHAPE.dim} (${((floats * 4) / 1024).toFixed(0)} KiB per update), Redis ${url}`);
const runs: Run[] = [];
for (const nodeCount of [1, 2, 3]) {
  const result = await run(nodeCount);
  runs.push(result);
  console.log(
    `nodes ${result.nodes}: ${result.updatesPerSecond.toFixed(1)} updates/s, round ${result.roundMs.toFixed(0)} ms; coordinator per round: ` +
      `decode ${result.decodeMs.toFixed(2)} ms + sum ${result.combineMs.toFixed(2)} ms + step ${result.applyMs.toFixed(2)} ms + checkpoint ${result.commitMs.toFixed(2)} ms = ${result.serialMs.toFixed(2)} ms serial, ` +
      `${(result.partialBytes / 1024).toFixed(0)} KiB of partial sums through Redis (warm-up round: ${result.warmUpSerialMs.toFixed(2)} ms serial)`,
  );
}

// The fixed part of the serial cost: the step and the checkpoint, once per round (averaged over the runs).
const fixedMs = mean(runs.map((r) => r.applyMs + r.commitMs));
// The per-node part as the cluster runs measured it (decode and add only; the fetch out of Redis overlaps the wait there).
const perPartialMs = mean(runs.map((r) => (r.decodeMs + r.combineMs) / r.nodes));
const one = runs[0]!;
const parallelMs = one.roundMs - one.serialMs;
console.log(`serial cost per round in the cluster runs: ${fixedMs.toFixed(2)} ms fixed (step, checkpoint) + ${perPartialMs.toFixed(3)} ms per node (decode and add one partial sum); parallel part of a 1-node round ${parallelMs.toFixed(0)} ms`);

// The per-node part measured directly at 1, 10 and 100 partial sums, the fetch from Redis included.
const combine = await measureCombine(url, floats, [1, 10, 100]);
for (const c of combine) {
  console.log(
    `coordinator combining ${c.nodes} partial sums alone (${(c.bytes / 1024 / 1024).toFixed(1)} MiB through Redis): fetch ${c.fetchMs.toFixed(2)} ms + decode ${c.decodeMs.toFixed(2)} ms + add ${c.addMs.toFixed(2)} ms = ${c.totalMs.toFixed(2)} ms (${(c.totalMs / c.nodes).toFixed(3)} ms per node)`,
  );
}
const combineAt = (n: number): CombineCost => combine.find((c) => c.nodes === n)!;
// S(N) = the fixed part + combining N partial sums (measured, not extrapolated).
const serialAt = (n: number): number => fixedMs + combineAt(n).totalMs;
const projection = [10, 100].map((n) => {
  const amdahlRoundMs = serialAt(n) + parallelMs / n;
  const scaledRoundMs = serialAt(n) + parallelMs;
  return { nodes: n, serialMs: serialAt(n), amdahlRoundMs, amdahlSerialShare: serialAt(n) / amdahlRoundMs, scaledRoundMs, scaledSerialShare: serialAt(n) / scaledRoundMs };
});
for (const p of projection) {
  console.log(
    `  ${p.nodes} nodes: serial ${p.serialMs.toFixed(1)} ms/round; same total load (Amdahl): round ${p.amdahlRoundMs.toFixed(0)} ms, serial ${(100 * p.amdahlSerialShare).toFixed(1)}%; ` +
      `same load per node (scaled): round ${p.scaledRoundMs.toFixed(0)} ms, serial ${(100 * p.scaledSerialShare).toFixed(1)}% (goal ≤ 5%)`,
  );
}
// The round length at which 100 nodes' serial work is 5% of it: rounds whose shoppers train longer than this meet the goal.
const breakEvenRoundMs = serialAt(100) / 0.05;
console.log(`  the coordinator's serial work is ≤ 5% of a round at 100 nodes once rounds last ≥ ${(breakEvenRoundMs / 1000).toFixed(2)} s (here a round lasts ${(one.roundMs / 1000).toFixed(2)} s: the shoppers answer at once)`);
// Not built: tree combining (Bonawitz et al. 2019's aggregators), 100 nodes in 10 groups whose sums 10 aggregators combine in parallel
// before the coordinator combines their 10: two levels of 10 on the round's critical path instead of one of 100. It changes the
// order of the float additions, so its model would no longer equal a single server's bit for bit.
const treeSerialMs = fixedMs + 2 * combineAt(10).totalMs;
console.log(`  projection, not built: tree combining at 100 nodes (fan-in 10) would put ${treeSerialMs.toFixed(1)} ms of serial work on a round (the fixed part + 2 × combining 10)`);
const checkpoint = await checkpointAlone();
console.log(
  `checkpoint write alone (${checkpoint.writes} writes, ${(checkpoint.bytes / 1024).toFixed(0)} KiB): ${checkpoint.totalMs.toFixed(2)} ms = encode and verify ${checkpoint.inMemoryMs.toFixed(2)} ms + write, fsync, rename, fsync directory ${checkpoint.durableMs.toFixed(2)} ms`,
);
const goal = { coordinatorShareAt100: projection[1]!.scaledSerialShare, limit: 0.05, met: projection[1]!.scaledSerialShare <= 0.05 };
console.log(JSON.stringify({ clients, rounds, floats, runs, serial: { fixedMs, perPartialMs, parallelMs }, combine, projection, breakEvenRoundMs, treeProjection: { nodes: 100, fanIn: 10, serialMs: treeSerialMs }, checkpoint, goal }));

/**
 * The coordinator's checkpoint write, split: what is in memory (encode, and
 * the decode that verifies it) and what goes to the disk (the atomic write
 * with its fsyncs), timed over `writes` writes of a model of this size.
 */
async function checkpointAlone(writes = 20): Promise<{ writes: number; bytes: number; totalMs: number; inMemoryMs: number; durableMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'fedrec-bench-checkpoint-'));
  try {
    const store = new CheckpointStore(dir, 3);
    await store.init();
    const values = Float32Array.from({ length: floats }, (_, i) => Math.sin(i) * 1e-2);
    const data = (version: number): CheckpointData => ({
      model: { shape: SHAPE, version, values },
      optimiser: { kind: 'fedavg', step: version, arrays: {} },
      lastRoundId: version,
      nextRoundId: version + 1,
      privacyLedger: null,
      createdAt: new Date().toISOString(),
    });
    await store.write(data(1)); // warm-up
    let totalMs = 0;
    let inMemoryMs = 0;
    let bytes = 0;
    for (let version = 2; version < writes + 2; version++) {
      const started = performance.now();
      await store.write(data(version));
      totalMs += performance.now() - started;
      const encodeStarted = performance.now();
      const encoded = encodeCheckpoint(data(version));
      decodeCheckpoint(encoded);
      inMemoryMs += performance.now() - encodeStarted;
      bytes = encoded.byteLength;
    }
    return { writes, bytes, totalMs: totalMs / writes, inMemoryMs: inMemoryMs / writes, durableMs: (totalMs - inMemoryMs) / writes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
