import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import type { ParameterShape, SharedModel } from '@fedrec/core';
import { epsilonForMechanisms, parameterCount } from '@fedrec/core';
import type { TrainingCallback } from '@fedrec/client';
import { createRoundParticipant } from '@fedrec/client';
import { decodeCheckpoint, issueToken } from '@fedrec/server';
import { TEST_REDIS_URL, useRedisPrefix } from '../../packages/sim/src/test-support/redis-prefix.js';
import { Resources, fetchModel, nextServerEvent, startServer, syntheticDelta } from '../server/helpers.js';
import { ServerNodeProcess, type NodeLine } from './server-node-process.js';

/**
 * `fedrec server` nodes in their own processes, sharing a job through a
 * real Redis and one model directory (the shared file system): the cluster
 * gives a single server's aggregate and model, loses only a killed node's
 * shoppers, fails over from a killed coordinator without losing ε or
 * reusing a version, and survives a Redis restart.
 */
const resources = new Resources();
afterEach(() => resources.cleanup());

const SHAPE: ParameterShape = { numItems: 20, dim: 3 };
const SECRET = randomBytes(32).toString('hex');

describe('server cluster (real Redis, real node processes)', () => {
  const redis = useRedisPrefix();
  // Before the prefix's keys are deleted (after-hooks run last-registered first): a live node would write its heartbeat again.
  afterEach(() => resources.cleanup());

  function nodeConfig(modelDir: string, overrides: Record<string, unknown> = {}, url = TEST_REDIS_URL): Record<string, unknown> {
    return {
      host: '127.0.0.1',
      port: 0,
      modelDir,
      model: { ...SHAPE, seed: 'cluster' },
      auth: { tokenSecret: SECRET },
      rounds: { minClients: 6, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 6, timeoutMs: 60_000 },
      optimiser: { kind: 'fedavg', learningRate: 1 },
      logLevel: 'silent',
      cluster: { url, prefix: redis.prefix, leaseMs: 2_000, heartbeatTtlMs: 1_500, partialGraceMs: 1_000 },
      ...overrides,
    };
  }

  /** `named`: node n gets the node id `node-<n>` (else a generated one). */
  async function startNodes(count: number, config: Record<string, unknown>, named = false): Promise<ServerNodeProcess[]> {
    // FEDREC_NODE_LOG=info shows the nodes' logs of a failed test.
    const logLevel = process.env['FEDREC_NODE_LOG'] ?? 'silent';
    const cluster = config.cluster as Record<string, unknown>;
    const nodes = await Promise.all(Array.from({ length: count }, (_, n) => ServerNodeProcess.start({ ...config, logLevel, cluster: { ...cluster, ...(named ? { nodeId: `node-${n}` } : {}) } })));
    for (const node of nodes) resources.add(() => node.kill('SIGKILL'));
    onTestFailed(() => {
      for (const [n, node] of nodes.entries()) process.stderr.write(`--- node ${n}\n${node.output.slice(-6000)}${node.stderr.slice(-2000)}\n`);
    });
    return nodes;
  }

  function startClient(url: string, clientId: string, train: TrainingCallback): void {
    const { token } = issueToken({ secret: SECRET, clientId });
    const client = createRoundParticipant({ url, token, train, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
    resources.add(() => client.stop());
    client.start();
  }

  /** The node that took the lease with `token` (or the first one, without). */
  async function coordinatorOf(nodes: readonly ServerNodeProcess[], after = 0): Promise<{ node: ServerNodeProcess; token: number; modelVersion: number }> {
    const held = (line: NodeLine): boolean => line.event === 'coordinator' && line.held === true && Number(line.token) > after;
    const line = await Promise.any(nodes.map((node) => node.next(held, 90_000).then((l) => ({ node, l }))));
    return { node: line.node, token: Number(line.l.token), modelVersion: Number(line.l.modelVersion) };
  }

  const applied = (version: number) => (line: NodeLine) => line.event === 'roundClosed' && line.outcome === 'applied' && line.modelVersion === version;
  const bytesOf = (values: Float32Array | Float64Array): Buffer => Buffer.from(values.buffer, values.byteOffset, values.byteLength);

  /** Every checkpoint in the shared directory, by version: a version is never held with two different models. */
  async function versionsOnDisk(modelDir: string): Promise<Map<number, Set<string>>> {
    const versions = new Map<number, Set<string>>();
    for (const name of await readdir(modelDir)) {
      if (!name.endsWith('.fckpt')) continue;
      const data = decodeCheckpoint(await readFile(join(modelDir, name)));
      const set = versions.get(data.model.version) ?? new Set<string>();
      set.add(bytesOf(data.model.values).toString('base64'));
      versions.set(data.model.version, set);
    }
    return versions;
  }

  it('3 nodes with the shoppers spread over them give exactly the single server\'s aggregate and model', async () => {
    const modelDir = await resources.tempDir('fedrec-cluster-');
    const config = nodeConfig(modelDir, { optimiser: { kind: 'fedavgm', learningRate: 0.5, momentum: 0.9 } });
    const nodes = await startNodes(3, config);
    await coordinatorOf(nodes);
    // Each client sends the same update to whichever server it talks to: fixed data per client, no local noise.
    const train = (index: number): TrainingCallback => ({ model }) => (model.version === 0 ? { update: syntheticDelta(model.shape, 0, `shopper-${index}`) } : null);
    for (let index = 0; index < 6; index++) startClient(nodes[index % 3]!.url, `shopper-${index}`, train(index));
    await Promise.all(nodes.map((node) => node.next(applied(1))));
    const served = await Promise.all(nodes.map(async (node) => (await fetchModel(node.url)).model));
    for (const model of served) expect(model.version).toBe(1);
    for (const model of served.slice(1)) expect(bytesOf(model.values).equals(bytesOf(served[0]!.values))).toBe(true);

    // The aggregate: each node's partial sum holds its own two shoppers; together, exactly the sum of all six.
    const sums = nodes.flatMap((node) => node.lines.filter((line) => line.event === 'partialSums' && line.roundId !== undefined));
    expect(sums).toHaveLength(1);
    const parts = sums[0]!.parts as { nodeId: string; count: number; sum: string }[];
    expect(parts.map((part) => part.count)).toEqual([2, 2, 2]);
    // One part per node (as each node's status names itself), in node-id order: the order they are added in.
    expect(parts.map((part) => part.nodeId)).toEqual(nodes.map((node) => node.nodeId).sort());
    const combined = new Float64Array(parameterCount(SHAPE));
    for (const part of parts) {
      const sum = new Float64Array(new Uint8Array(Buffer.from(part.sum, 'base64')).buffer);
      for (let i = 0; i < combined.length; i++) combined[i]! += sum[i]!;
    }
    const expected = new Float64Array(combined.length);
    for (let index = 0; index < 6; index++) {
      const values = syntheticDelta({ ...SHAPE }, 0, `shopper-${index}`).values;
      for (let i = 0; i < expected.length; i++) expected[i]! += values[i]!;
    }
    expect(Array.from(combined)).toEqual(Array.from(expected));

    // The single server, same model seed, optimiser and updates.
    const { modelDir: _dir, cluster: _cluster, logLevel: _level, port: _port, host: _host, ...single } = config;
    const server = await startServer(resources, single);
    const done = nextServerEvent(server, 'roundClosed', (round) => round.outcome === 'applied');
    const url = server.address!.url;
    for (let index = 0; index < 6; index++) {
      const client = createRoundParticipant({ url, token: server.issueToken({ clientId: `shopper-${index}` }).token, train: train(index) });
      resources.add(() => client.stop());
      client.start();
    }
    await done;
    expect(bytesOf(server.model().values).equals(bytesOf(served[0]!.values))).toBe(true);
  });

  it('secure aggregation per node group: each node runs SecAgg+ among its own shoppers, and the coordinator gets exactly the group sums', async () => {
    const modelDir = await resources.tempDir('fedrec-cluster-');
    const config = nodeConfig(modelDir, {
      rounds: { minClients: 9, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 9, timeoutMs: 60_000 },
      secureAggregation: { enabled: true, clipNorm: 10, stageTimeoutMs: 20_000 },
    });
    const nodes = await startNodes(3, config, true);
    const { node: coordinator } = await coordinatorOf(nodes);
    const { model: initial } = await fetchModel(coordinator.url);
    const train = (index: number): TrainingCallback => ({ model }) => (model.version === 0 ? { update: syntheticDelta(model.shape, 0, `g-${index}`) } : null);
    for (let index = 0; index < 9; index++) startClient(nodes[index % 3]!.url, `g-${index}`, train(index));
    await coordinator.next(applied(1));
    const parts = (await coordinator.next((line) => line.event === 'partialSums')).parts as { nodeId: string; count: number; sum: string }[];
    expect(parts.map((part) => [part.nodeId, part.count])).toEqual([['node-0', 3], ['node-1', 3], ['node-2', 3]]);
    const floats = initial.values.length;
    const mean = new Float64Array(floats);
    for (const [n, node] of nodes.entries()) {
      // What the node's SecAgg+ revealed (the integer sum of its three members), and what the coordinator got: the same, exactly.
      const secure = await node.next((line) => line.event === 'secureAggregation');
      expect(secure).toMatchObject({ outcome: 'completed' });
      expect([...(secure.contributors as string[])].sort()).toEqual([`g-${n}`, `g-${n + 3}`, `g-${n + 6}`]);
      const granularity = Number(secure.granularity);
      const integers = new Float64Array(new Uint8Array(Buffer.from(String(secure.integerSum), 'base64')).buffer);
      const groupSum = new Float64Array(new Uint8Array(Buffer.from(parts[n]!.sum, 'base64')).buffer);
      expect(Array.from(groupSum)).toEqual(Array.from(integers, (k) => k * granularity));
      // And it is the sum of the members' updates, up to one quantisation step per member.
      for (let i = 0; i < floats; i++) {
        let truth = 0;
        for (const index of [n, n + 3, n + 6]) truth += syntheticDelta(initial.shape, 0, `g-${index}`).values[i]!;
        expect(Math.abs(groupSum[i]! - truth)).toBeLessThanOrEqual(3 * granularity);
        mean[i]! += groupSum[i]! / 9;
      }
    }
    const { model: after } = await fetchModel(nodes[1]!.url);
    const expected = Float32Array.from(initial.values, (x, i) => x + mean[i]!);
    expect(Math.max(...Array.from(after.values, (x, i) => Math.abs(x - expected[i]!)))).toBeLessThan(1e-7);
  });

  it('a node SIGKILLed mid-round loses only its own shoppers\' updates: the round completes with the rest', async () => {
    const modelDir = await resources.tempDir('fedrec-cluster-');
    const nodes = await startNodes(3, nodeConfig(modelDir, { rounds: { minClients: 6, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 4, timeoutMs: 120_000 } }));
    const { node: coordinator } = await coordinatorOf(nodes);
    const [victim, other] = nodes.filter((node) => node !== coordinator) as [ServerNodeProcess, ServerNodeProcess];
    const { model: initial } = await fetchModel(coordinator.url);
    const survivors: number[] = [];
    nodes.forEach((node, n) => {
      for (let k = 0; k < 2; k++) {
        const index = 2 * n + k;
        if (node !== victim) survivors.push(index);
        // The victim's shoppers are still training when it dies.
        const train: TrainingCallback = ({ model }) => (node === victim ? new Promise<null>(() => {}) : model.version === 0 ? { update: syntheticDelta(model.shape, 0, `s-${index}`) } : null);
        startClient(node.url, `s-${index}`, train);
      }
    });
    const posted = (line: NodeLine): boolean => line.event === 'partialPosted' && line.count === 2;
    await Promise.all([coordinator.next(posted), other.next(posted), victim.next((line) => line.event === 'roundOpened')]);
    await victim.kill('SIGKILL');

    const closed = await coordinator.next(applied(1));
    expect(closed.accepted).toBe(4);
    await other.next(applied(1)); // the other node serves the new model once it has read its checkpoint
    const { model: after } = await fetchModel(other.url);
    expect(after.version).toBe(1);
    // FedAvg with η = 1: the initial model plus the mean of the four survivors' updates, rounded to float32 once.
    const mean = new Float64Array(initial.values.length);
    for (const index of survivors) {
      const values = syntheticDelta(initial.shape, 0, `s-${index}`).values;
      for (let i = 0; i < mean.length; i++) mean[i]! += values[i]! / 4;
    }
    const expected = Float32Array.from(initial.values, (x, i) => x + mean[i]!);
    expect(Math.max(...Array.from(after.values, (x, i) => Math.abs(x - expected[i]!)))).toBeLessThan(1e-7);
  });

  it('SIGKILL the coordinator mid-round: another node takes over from the newest checkpoint, ledger intact, no version reused', async () => {
    const modelDir = await resources.tempDir('fedrec-cluster-');
    const privacy = { targetEpsilon: 100, delta: 1e-5, clipNorm: 1, noiseMultiplier: 1.2, placement: 'local' };
    const nodes = await startNodes(3, nodeConfig(modelDir, { privacy, rounds: { minClients: 4, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 2, timeoutMs: 120_000 } }));
    const first = await coordinatorOf(nodes);
    // Version 0: answered at once. Version 1: held back until the coordinator is dead and its round abandoned;
    // then the abandoned round's trainings sit it out, and later rounds' are answered.
    const gate = new TrainingGate((index, model, roundId) => (model.version <= 1 ? { delta: syntheticDelta(model.shape, model.version, `f-${index}/${roundId}`) } : null));
    // The raw delta: the client clips and noises it as the round's DP parameters say.
    const train = (index: number): TrainingCallback => ({ model, roundId }) => gate.train(index, model, roundId, model.version === 1);
    nodes.forEach((node, n) => {
      for (let k = 0; k < 2; k++) startClient(node.url, `f-${2 * n + k}`, train(2 * n + k));
    });
    const v1 = await first.node.next(applied(1));
    const epsilonAfterOne = (v1.privacy as { epsilonSpent: number }).epsilonSpent;
    // The second round is open (the shoppers hold their updates back): kill its coordinator.
    const second = await first.node.next((line) => line.event === 'roundOpened' && line.modelVersion === 1);
    await first.node.kill('SIGKILL');
    const survivors = nodes.filter((node) => node !== first.node);

    const next = await coordinatorOf(survivors, first.token);
    expect(next.token).toBeGreaterThan(first.token);
    expect(next.modelVersion).toBe(1); // resumed from the newest durable checkpoint
    for (const node of survivors) {
      expect(await node.next((line) => line.event === 'roundClosed' && line.roundId === second.roundId)).toMatchObject({ outcome: 'abandoned', cause: 'coordinator-lost' });
    }
    gate.release(second.roundId as number);

    const v2 = await next.node.next(applied(2));
    const epsilonAfterTwo = (v2.privacy as { epsilonSpent: number }).epsilonSpent;
    // The ledger holds both rounds, one from each coordinator: ε of two steps (q = 1, z = 1.2), not of one.
    const twoSteps = epsilonForMechanisms({ mechanisms: [{ samplingRate: 1, noiseMultiplier: 1.2, steps: 2 }], delta: 1e-5, accountant: 'rdp' }).epsilon;
    const oneStep = epsilonForMechanisms({ mechanisms: [{ samplingRate: 1, noiseMultiplier: 1.2, steps: 1 }], delta: 1e-5, accountant: 'rdp' }).epsilon;
    expect(epsilonAfterOne).toBeCloseTo(oneStep, 6);
    expect(epsilonAfterTwo).toBeCloseTo(twoSteps, 6);

    // A node that does not coordinate serves version 2 once it has read its checkpoint (its own roundClosed line).
    for (const node of survivors) await node.next(applied(2));
    const served: SharedModel[] = await Promise.all(survivors.map(async (node) => (await fetchModel(node.url)).model));
    for (const model of served) expect(model.version).toBe(2);
    for (const [version, models] of await versionsOnDisk(modelDir)) expect({ version, distinct: models.size }).toEqual({ version, distinct: 1 });
    expect((await versionsOnDisk(modelDir)).get(2)).toEqual(new Set([bytesOf(served[0]!.values).toString('base64')]));
  });

  it('a Redis restart mid-round abandons the open round and corrupts nothing: rounds go on with a larger token', async () => {
    const port = 6390 + Math.floor(Math.random() * 500);
    const url = `redis://127.0.0.1:${port}`;
    let redisServer = await startRedis(port);
    resources.add(() => stopRedis(redisServer));
    const modelDir = await resources.tempDir('fedrec-cluster-');
    const nodes = await startNodes(3, nodeConfig(modelDir, { rounds: { minClients: 6, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 3, timeoutMs: 120_000 } }, url));
    const first = await coordinatorOf(nodes);
    const gate = new TrainingGate((index, model, roundId) => (model.version <= 1 ? { update: syntheticDelta(model.shape, model.version, `r-${index}/${roundId}`) } : null));
    const train = (index: number): TrainingCallback => ({ model, roundId }) => gate.train(index, model, roundId, model.version === 1);
    nodes.forEach((node, n) => {
      for (let k = 0; k < 2; k++) startClient(node.url, `r-${2 * n + k}`, train(2 * n + k));
    });
    await first.node.next(applied(1));
    const open = await first.node.next((line) => line.event === 'roundOpened' && line.modelVersion === 1);
    await stopRedis(redisServer);
    redisServer = await startRedis(port);
    // The coordinator cannot renew a lease the new Redis never had: it steps down, and some node takes over.
    const next = await coordinatorOf(nodes, first.token);
    expect(next.token).toBeGreaterThan(first.token); // the token counter was lost, the checkpoints' token was not
    expect(next.modelVersion).toBe(1);
    gate.release(open.roundId as number);
    await Promise.all(nodes.map((node) => node.next(applied(2))));
    for (const node of nodes) expect(node.lines.some((line) => line.event === 'roundClosed' && line.roundId === open.roundId && line.outcome === 'applied')).toBe(false);
    const served = await Promise.all(nodes.map(async (node) => (await fetchModel(node.url)).model));
    for (const model of served) expect(bytesOf(model.values).equals(bytesOf(served[0]!.values))).toBe(true);
    for (const [version, models] of await versionsOnDisk(modelDir)) expect({ version, distinct: models.size }).toEqual({ version, distinct: 1 });
  });
});

type TrainingResult = Awaited<ReturnType<TrainingCallback>>;

/**
 * Holds trainings back until `release(roundId)`: those of round `roundId`
 * (the round that died with its coordinator or Redis) then sit it out, any
 * other round's — an invitation can arrive before the release — are
 * answered; after the release everything is answered at once.
 */
class TrainingGate {
  #releasedFor: number | null = null;
  readonly #held: { readonly roundId: number; readonly answer: () => void; readonly skip: () => void }[] = [];

  constructor(private readonly answer: (index: number, model: SharedModel, roundId: number) => TrainingResult) {}

  train(index: number, model: SharedModel, roundId: number, hold: boolean): TrainingResult | Promise<TrainingResult> {
    if (!hold || this.#releasedFor !== null) return this.#releasedFor === roundId ? null : this.answer(index, model, roundId);
    return new Promise<TrainingResult>((resolve) => this.#held.push({ roundId, answer: () => resolve(this.answer(index, model, roundId)), skip: () => resolve(null) }));
  }

  release(abandonedRoundId: number): void {
    this.#releasedFor = abandonedRoundId;
    for (const held of this.#held.splice(0)) (held.roundId === abandonedRoundId ? held.skip : held.answer)();
  }
}

/** A private redis-server without persistence (a restart starts it empty), answering PING. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)));
  });
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}
