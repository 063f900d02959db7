/**
 * Aggregation throughput: updates ingested and aggregated per second by the
 * FedRec server over socket.io on loopback, against two baselines measured in
 * the same run:
 *
 * - ws: the same round exchange (model bytes out, update bytes back) over a
 *   bare `ws` WebSocket, with the same validation and aggregation code;
 * - in-process: validation and aggregation alone, no network.
 *
 * The clients run in a child process (this file, `--bench-clients`), so the
 * server's peak RSS is its own. Each round every client gets the model,
 * checks it, and answers with an encoded update (a fixed synthetic delta: the
 * clients' training is not what is measured).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import type { ParameterShape } from '@fedrec/core';
import { createSeededRandomSource, createSharedModel, decodeModel, encodeModel, encodeUpdate, parameterCount } from '@fedrec/core';
import { createRoundParticipant } from '@fedrec/client';
import { median } from './stats.js';
import {
  FedAvg,
  UpdateAccumulator,
  checkUpdateBytes,
  createServer,
  decodeClientUpdate,
  updateByteLength,
} from '@fedrec/server';

export interface AggregationCase {
  readonly shape: ParameterShape;
  /** Clients (= cohort = updates per round). */
  readonly clients: number;
  readonly warmupRounds: number;
  readonly rounds: number;
}

export interface AggregationResult {
  readonly floats: number;
  readonly socketioUpdatesPerSec: number;
  readonly wsUpdatesPerSec: number;
  readonly inProcessUpdatesPerSec: number;
  /** Peak RSS of the server process during the socket.io run. */
  readonly peakRssMb: number;
}

type Log = (line: string) => void;

const SCRIPT = fileURLToPath(new URL('../aggregation.ts', import.meta.url));

interface ClientsSpec {
  readonly mode: 'socketio' | 'ws';
  readonly url: string;
  readonly shape: ParameterShape;
  readonly count: number;
  /** socket.io only: one token per client. */
  readonly tokens: readonly string[];
}

/** A client's fixed "learned" delta. */
function syntheticValues(shape: ParameterShape, index: number): Float32Array {
  const random = createSeededRandomSource(`bench/${index}`);
  return Float32Array.from({ length: parameterCount(shape) }, () => (random.nextFloat() - 0.5) * 1e-3);
}

function startClients(spec: ClientsSpec): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', SCRIPT, '--bench-clients', JSON.stringify(spec)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function stopClients(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Samples this process's RSS until stopped; returns the peak in MiB. */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss()) / 2 ** 20;
    },
  };
}

/** The real server, real clients: rounds of `clients` updates each. */
async function measureSocketIo(c: AggregationCase): Promise<{ updatesPerSec: number; peakRssMb: number }> {
  const server = createServer({
    host: '127.0.0.1',
    port: 0,
    model: { ...c.shape, seed: 'bench' },
    rounds: { minClients: c.clients, sampling: { kind: 'fixed', size: c.clients }, minUpdates: c.clients, timeoutMs: 600_000 },
    optimiser: { kind: 'fedavg', learningRate: 1 },
    logLevel: 'silent',
    // Every client connects from 127.0.0.1: no per-source handshake limit on a loopback benchmark.
    http: { maxConnections: 2 * c.clients + 100, rateLimits: { handshake: false } },
  });
  const { url } = await server.listen();
  const tokens = Array.from({ length: c.clients }, (_, i) => server.issueToken({ clientId: `bench-${i}` }).token);
  const sampler = rssSampler();
  let started = 0;
  const done = new Promise<number>((resolve) => {
    server.events.on('roundClosed', ({ modelVersion }) => {
      if (modelVersion === c.warmupRounds) started = performance.now();
      if (modelVersion === c.warmupRounds + c.rounds) resolve(performance.now() - started);
    });
  });
  const child = startClients({ mode: 'socketio', url, shape: c.shape, count: c.clients, tokens });
  const elapsed = await done;
  const peakRssMb = sampler.stop();
  await stopClients(child);
  const rejected = server.status().updates.rejectedTotal;
  await server.close();
  if (rejected > 0) throw new Error(`socket.io run: ${rejected} updates rejected`);
  return { updatesPerSec: (c.rounds * c.clients * 1000) / elapsed, peakRssMb };
}

/** The same exchange over bare WebSockets, with the server's own validation and aggregation code. */
async function measureWs(c: AggregationCase): Promise<number> {
  const model = createSharedModel(c.shape, { seed: 'bench' });
  const values = model.values;
  let version = 0;
  const optimiser = new FedAvg({ learningRate: 1 }, values.length);
  const accumulator = new UpdateAccumulator(values.length);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: updateByteLength(c.shape) + 64 * 1024, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as { port: number }).port;
  const sockets: WebSocket[] = [];
  let started = 0;
  const done = new Promise<number>((resolve, reject) => {
    const openRound = (): void => {
      const bytes = encodeModel({ shape: c.shape, version, values });
      for (const socket of sockets) socket.send(bytes);
    };
    wss.on('connection', (socket) => {
      sockets.push(socket);
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        const checked = checkUpdateBytes(isBinary ? data : undefined, c.shape);
        if (!checked.ok) return reject(new Error(`ws run: ${checked.reason}`));
        const decoded = decodeClientUpdate(checked.bytes, c.shape);
        if (!decoded.ok || decoded.update.baseVersion !== version) return reject(new Error('ws run: bad update'));
        accumulator.add(decoded.update.values);
        if (accumulator.count < c.clients) return;
        optimiser.step(values, accumulator.takeMean());
        accumulator.reset();
        version++;
        if (version === c.warmupRounds) started = performance.now();
        if (version === c.warmupRounds + c.rounds) return resolve(performance.now() - started);
        openRound();
      });
      if (sockets.length === c.clients) openRound();
    });
  });
  const child = startClients({ mode: 'ws', url: `ws://127.0.0.1:${port}`, shape: c.shape, count: c.clients, tokens: [] });
  const elapsed = await done;
  await stopClients(child);
  for (const socket of sockets) socket.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  return (c.rounds * c.clients * 1000) / elapsed;
}

/** Validation and aggregation alone: the ceiling any transport is measured against. */
function measureInProcess(c: AggregationCase): number {
  const model = createSharedModel(c.shape, { seed: 'bench' });
  const values = model.values;
  const optimiser = new FedAvg({ learningRate: 1 }, values.length);
  const accumulator = new UpdateAccumulator(values.length);
  const deltas = Array.from({ length: c.clients }, (_, i) => syntheticValues(c.shape, i));
  let started = 0;
  for (let version = 0; version < c.warmupRounds + c.rounds; version++) {
    if (version === c.warmupRounds) started = performance.now();
    // The same per-round work as the servers: encode the model once, then check and add each update.
    encodeModel({ shape: c.shape, version, values });
    for (const delta of deltas) {
      const bytes = encodeUpdate({ shape: c.shape, baseVersion: version, values: delta });
      const checked = checkUpdateBytes(bytes, c.shape);
      if (!checked.ok) throw new Error(checked.reason);
      const decoded = decodeClientUpdate(checked.bytes, c.shape);
      if (!decoded.ok) throw new Error(decoded.reason);
      accumulator.add(decoded.update.values);
    }
    optimiser.step(values, accumulator.takeMean());
    accumulator.reset();
  }
  return (c.rounds * c.clients * 1000) / (performance.now() - started);
}

/**
 * Runs every case `repeats` times, interleaving socket.io, ws and in-process
 * runs so that all three see the same machine load, and reports medians (and
 * the largest peak RSS).
 */
export async function runAggregationBenchmark(cases: readonly AggregationCase[], repeats: number, log: Log): Promise<AggregationResult[]> {
  const results: AggregationResult[] = [];
  for (const c of cases) {
    const floats = parameterCount(c.shape);
    log(`# ${floats} floats (${c.shape.numItems}×(${c.shape.dim}+1)), ${c.clients} clients, ${c.rounds} rounds after ${c.warmupRounds} warm-up, ${repeats} repeats`);
    const socketio: number[] = [];
    const ws: number[] = [];
    const inProcess: number[] = [];
    let peakRssMb = 0;
    for (let repeat = 0; repeat < repeats; repeat++) {
      const run = await measureSocketIo(c);
      socketio.push(run.updatesPerSec);
      peakRssMb = Math.max(peakRssMb, run.peakRssMb);
      ws.push(await measureWs(c));
      inProcess.push(measureInProcess(c));
      log(`#   repeat ${repeat + 1}: socket.io ${run.updatesPerSec.toFixed(1)}, ws ${ws[repeat]!.toFixed(1)}, in-process ${inProcess[repeat]!.toFixed(1)} updates/s; server peak RSS ${run.peakRssMb.toFixed(0)} MiB`);
    }
    const result: AggregationResult = {
      floats,
      socketioUpdatesPerSec: round1(median(socketio)),
      wsUpdatesPerSec: round1(median(ws)),
      inProcessUpdatesPerSec: round1(median(inProcess)),
      peakRssMb: round1(peakRssMb),
    };
    log(`#   median: socket.io at ${((100 * result.socketioUpdatesPerSec) / result.wsUpdatesPerSec).toFixed(0)}% of bare ws`);
    results.push(result);
  }
  return results;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * The client side, in its own process: `count` clients that answer every
 * round with their fixed delta, until killed.
 */
export async function runBenchClients(specJson: string): Promise<void> {
  const spec = JSON.parse(specJson) as ClientsSpec;
  if (spec.mode === 'socketio') {
    const clients = spec.tokens.map((token, index) => {
      const delta = syntheticValues(spec.shape, index);
      return createRoundParticipant({
        url: spec.url,
        token,
        train: ({ model }) => ({ update: { shape: model.shape, baseVersion: model.version, values: delta } }),
      });
    });
    for (const client of clients) client.start();
    process.once('SIGTERM', () => {
      for (const client of clients) client.stop();
      process.exit(0);
    });
    return;
  }
  const sockets: WebSocket[] = [];
  for (let index = 0; index < spec.count; index++) {
    const delta = syntheticValues(spec.shape, index);
    const socket = new WebSocket(spec.url, { perMessageDeflate: false, maxPayload: updateByteLength(spec.shape) + 64 * 1024 });
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data: Buffer) => {
      // What the FedRec client does with a round's model: verify it, then answer.
      const model = decodeModel(data, { requireFinite: true, expectedShape: spec.shape });
      socket.send(encodeUpdate({ shape: model.shape, baseVersion: model.version, values: delta }));
    });
    sockets.push(socket);
  }
  process.once('SIGTERM', () => {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  });
}
