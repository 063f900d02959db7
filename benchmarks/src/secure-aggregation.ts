/**
 * What SecAgg+ costs against plain aggregation, per round, measured in the
 * same process: the same clients' updates (d floats each) go through
 *
 * - plain: clip → encodeUpdate (client); checkUpdateBytes → decodeClientUpdate
 *   → accumulate (server);
 * - SecAgg+: clip → quantise → toModular → the four `SecAggClient` steps
 *   (client); `SecAggServer.receive` for every message, the four
 *   `closeStage` calls and `decodeSum` (server).
 *
 * In memory (no sockets): compute is what is timed, with the platform's
 * native SecAgg primitives (node:crypto here; `resolveSecAggCrypto`), and the
 * client's time is the mean over the cohort of its five steps (quantise, then
 * stages 0–3), broken down per step on stderr. Bytes are those of the
 * encoded messages a client sends and receives, as the transport frames them
 * (JSON metadata + the one binary attachment), excluding the model download,
 * which is the same in both.
 */
import type { RandomSource } from '@fedrec/core';
import type { SecAggClientMessage, SecAggCrypto, SecAggServerMessage } from '@fedrec/secagg';
import {
  MessageKind,
  PROTOCOL_VERSION,
  buildPrivateUpdate,
  createCryptoRandomSource,
  encodeUpdate,
  packBinaryFields,
  parameterCount,
} from '@fedrec/core';
import {
  SecAggClient,
  SecAggServer,
  SecAggStage,
  createRoundConfig,
  decodeSum,
  defaultNeighbourCount,
  quantise,
  resolveSecAggCrypto,
  toModular,
} from '@fedrec/secagg';
import { UpdateAccumulator, checkUpdateBytes, decodeClientUpdate } from '@fedrec/server';
import { median } from './stats.js';

export interface SecureAggregationRow {
  readonly n: number;
  readonly d: number;
  readonly clientMsSecagg: number;
  readonly clientMsPlain: number;
  readonly serverMsSecagg: number;
  readonly serverMsPlain: number;
  readonly bytesSecagg: number;
  readonly bytesPlain: number;
  /** k, the neighbours of each client (the default for n). */
  readonly neighbours: number;
  /**
   * The least any SecAgg+ client with k neighbours computes, timed with the
   * same primitives: 2k X25519 agreements (a share-encryption key and a mask
   * key per neighbour) and k + 1 mask expansions of d words (k pairwise masks
   * and the self mask) added into the input mod 2³². The client's time above
   * it is quantising, Shamir, AEAD, HKDF and bookkeeping.
   */
  readonly clientMsPrimitiveFloor: number;
}

export interface DropoutRow {
  readonly n: number;
  readonly d: number;
  /** Fraction of the cohort that drops after sharing keys (before the masked input: the costly case). */
  readonly dropout: number;
  readonly serverMsSecagg: number;
}

export interface SecureAggregationBenchmark {
  readonly results: SecureAggregationRow[];
  readonly dropout: DropoutRow[];
}

export interface SecureAggregationOptions {
  readonly cohorts: readonly number[];
  readonly numItems: number;
  readonly dim: number;
  readonly dropoutCohort: number;
  readonly dropoutRates: readonly number[];
  /** Runs per configuration; the reported times are medians. */
  readonly repeats: number;
}

const CLIP_NORM = 1;

/** The wire size of a message as the transport sends it: JSON envelope + one binary attachment. */
function wireBytes(kind: number, roundId: number, message: unknown): number {
  const { json, blob } = packBinaryFields(message);
  return JSON.stringify({ v: PROTOCOL_VERSION, kind, roundId, message: json }).length + blob.byteLength;
}

function syntheticDelta(random: RandomSource, d: number): Float32Array {
  const values = new Float32Array(d);
  for (let i = 0; i < d; i++) values[i] = (random.nextFloat() * 2 - 1) * 0.01;
  return values;
}

async function primitiveFloorMs(crypto: SecAggCrypto, k: number, d: number): Promise<number> {
  const random = createCryptoRandomSource();
  const own = await crypto.generateKeyPair(random);
  const peers = await Promise.all(Array.from({ length: k }, async () => (await crypto.generateKeyPair(random)).publicKey));
  const seed = new Uint8Array(32);
  const input = new Uint32Array(d);
  const started = performance.now();
  await crypto.agree(own, peers);
  await crypto.agree(own, peers);
  for (let mask = 0; mask <= k; mask++) {
    seed[0] = mask;
    const words = await crypto.expandMask(seed, d);
    for (let i = 0; i < d; i++) input[i] = (input[i]! + words[i]!) >>> 0;
  }
  return performance.now() - started;
}

function runPlain(n: number, numItems: number, dim: number, deltas: readonly Float32Array[]): { clientMs: number; serverMs: number; bytes: number } {
  const shape = { numItems, dim };
  const d = parameterCount(shape);
  let clientMs = 0;
  const encoded: Uint8Array[] = [];
  for (const values of deltas) {
    const started = performance.now();
    const built = buildPrivateUpdate({ shape, baseVersion: 0, values }, { clipNorm: CLIP_NORM, noiseMultiplier: 0 });
    encoded.push(encodeUpdate(built.update));
    clientMs += performance.now() - started;
  }
  const started = performance.now();
  const accumulator = new UpdateAccumulator(d);
  for (const bytes of encoded) {
    const checked = checkUpdateBytes(bytes, shape);
    if (!checked.ok) throw new Error(checked.message);
    const decoded = decodeClientUpdate(checked.bytes, shape);
    if (!decoded.ok) throw new Error(decoded.message);
    accumulator.add(decoded.update.values);
  }
  accumulator.takeMean();
  const serverMs = performance.now() - started;
  const meta = JSON.stringify({ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId: 1 }).length;
  const accepted = JSON.stringify({ v: PROTOCOL_VERSION, kind: MessageKind.updateAccepted, roundId: 1 }).length;
  return { clientMs: clientMs / n, serverMs, bytes: meta + encoded[0]!.byteLength + accepted };
}

async function runSecure(
  n: number,
  numItems: number,
  dim: number,
  deltas: readonly Float32Array[],
  dropAfterSharing: ReadonlySet<number>,
): Promise<{ clientMs: number; serverMs: number; bytes: number; exact: boolean; clientBreakdown: string; serverBreakdown: string }> {
  const shape = { numItems, dim };
  const d = parameterCount(shape);
  const random = createCryptoRandomSource();
  const graphSeed = new Uint8Array(32);
  globalThis.crypto.getRandomValues(graphSeed);
  const config = createRoundConfig({ roundId: 1, clientCount: n, vectorLength: d, graphSeed });
  const granularity = (4 * n * CLIP_NORM) / 2 ** 32;
  const bound = Math.ceil(CLIP_NORM / granularity) + 1;
  const clientMs = new Float64Array(n + 1);
  /** Client time summed over the cohort, by step: quantise, then stages 0–3 (for the breakdown on stderr). */
  const stageMs = new Float64Array(5);
  const bytes = new Float64Array(n + 1);
  let serverMs = 0;
  /** Server time by stage (receiving its messages, then closing it), and decoding the sum last (for the breakdown on stderr). */
  const serverStageMs = new Float64Array(5);
  const server = new SecAggServer(config);
  const clients = new Map<number, SecAggClient>();
  const inputs = new Map<number, Uint32Array>();
  const timeClient = async <T>(index: number, step: number, fn: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const out = await fn();
    const elapsed = performance.now() - started;
    clientMs[index]! += elapsed;
    stageMs[step]! += elapsed;
    return out;
  };
  const toServer = (message: SecAggClientMessage): void => {
    bytes[message.sender]! += wireBytes(MessageKind.secAggClient, 1, message);
    const started = performance.now();
    const outcome = server.receive(message);
    const elapsed = performance.now() - started;
    serverMs += elapsed;
    serverStageMs[message.stage]! += elapsed;
    if (!outcome.accepted) throw new Error(`refused: ${outcome.reasonName} ${outcome.detail}`);
  };
  const close = async () => {
    const started = performance.now();
    const closed = await server.closeStage();
    const elapsed = performance.now() - started;
    serverMs += elapsed;
    serverStageMs[closed.closedStage]! += elapsed;
    return closed;
  };
  const received = (message: SecAggServerMessage): void => {
    bytes[message.recipient]! += wireBytes(MessageKind.secAggServer, 1, message);
  };
  for (let index = 1; index <= n; index++) {
    const values = deltas[index - 1]!;
    const input = await timeClient(index, 0, () => {
      const built = buildPrivateUpdate({ shape, baseVersion: 0, values }, { clipNorm: CLIP_NORM, noiseMultiplier: 0 });
      return toModular(quantise(built.update.values, granularity, random), bound);
    });
    inputs.set(index, input);
    const client = new SecAggClient({ config, index });
    clients.set(index, client);
    toServer(await timeClient(index, 1, () => client.advertiseKeys()));
  }
  let closed = await close();
  if (closed.closedStage !== SecAggStage.advertiseKeys) throw new Error('unreachable');
  for (const m of closed.messages) {
    received(m);
    toServer(await timeClient(m.recipient, 2, () => clients.get(m.recipient)!.shareKeys(m)));
  }
  closed = await close();
  if (closed.closedStage !== SecAggStage.shareKeys) throw new Error('unreachable');
  for (const m of closed.messages) {
    received(m);
    if (dropAfterSharing.has(m.recipient)) continue;
    toServer(await timeClient(m.recipient, 3, () => clients.get(m.recipient)!.maskedInput(m, inputs.get(m.recipient)!)));
  }
  closed = await close();
  if (closed.closedStage !== SecAggStage.maskedInput) throw new Error('unreachable');
  for (const m of closed.messages) {
    received(m);
    toServer(await timeClient(m.recipient, 4, () => clients.get(m.recipient)!.unmask(m)));
  }
  closed = await close();
  if (closed.closedStage !== SecAggStage.unmasking) throw new Error('unreachable');
  const started = performance.now();
  const decoded = decodeSum(closed.result.sum, granularity);
  const decodeMs = performance.now() - started;
  serverMs += decodeMs;
  serverStageMs[4]! += decodeMs;
  // The decoded sum must equal the plain sum of the survivors' integer inputs.
  let exact = true;
  for (let i = 0; i < d && exact; i += 997) {
    let expected = 0;
    for (const index of closed.result.contributors) expected += inputs.get(index)![i]! | 0;
    exact = decoded.integers[i] === expected;
  }
  const full = [...clients.keys()].filter((index) => !dropAfterSharing.has(index));
  const mean = (a: Float64Array): number => full.reduce((sum, index) => sum + a[index]!, 0) / full.length;
  const perClient = Array.from(stageMs, (ms) => (ms / full.length).toFixed(2));
  const perStage = Array.from(serverStageMs, (ms) => ms.toFixed(1));
  const clientBreakdown = `client ms per step: quantise ${perClient[0]}, keys ${perClient[1]}, shares ${perClient[2]}, masked input ${perClient[3]}, unmask ${perClient[4]}`;
  const serverBreakdown = `server ms per stage: keys ${perStage[0]}, shares ${perStage[1]}, masked inputs ${perStage[2]}, unmasking ${perStage[3]}, decode ${perStage[4]}`;
  return { clientMs: mean(clientMs), serverMs, bytes: mean(bytes), exact, clientBreakdown, serverBreakdown };
}

export async function runSecureAggregationBenchmark(options: SecureAggregationOptions, log: (line: string) => void): Promise<SecureAggregationBenchmark> {
  const { numItems, dim } = options;
  const d = parameterCount({ numItems, dim });
  const crypto = await resolveSecAggCrypto();
  log(`SecAgg primitives: ${crypto.name} (X25519 and the AES-256-CTR mask PRG)`);
  // Warm-up: the floor is a lower bound only once its loop is compiled and the primitives' first-call costs are paid.
  for (let r = 0; r < 3; r++) await primitiveFloorMs(crypto, 8, d);
  const random = createCryptoRandomSource();
  const results: SecureAggregationRow[] = [];
  for (const n of options.cohorts) {
    const deltas = Array.from({ length: n }, () => syntheticDelta(random, d));
    // Interleaved repeats, medians: the machine is shared, and one GC pause can double a plain round.
    const plains: ReturnType<typeof runPlain>[] = [];
    const secures: Awaited<ReturnType<typeof runSecure>>[] = [];
    const floors: number[] = [];
    const neighbours = defaultNeighbourCount(n);
    for (let r = 0; r < options.repeats; r++) {
      plains.push(runPlain(n, numItems, dim, deltas));
      floors.push(await primitiveFloorMs(crypto, neighbours, d));
      const run = await runSecure(n, numItems, dim, deltas, new Set());
      if (!run.exact) throw new Error(`n = ${n}: the SecAgg sum differs from the plain sum`);
      secures.push(run);
    }
    const plain = { clientMs: median(plains.map((p) => p.clientMs)), serverMs: median(plains.map((p) => p.serverMs)), bytes: plains[0]!.bytes };
    const secure = { ...secures[0]!, clientMs: median(secures.map((p) => p.clientMs)), serverMs: median(secures.map((p) => p.serverMs)) };
    const row: SecureAggregationRow = {
      n,
      d,
      clientMsSecagg: round(secure.clientMs),
      clientMsPlain: round(plain.clientMs),
      serverMsSecagg: round(secure.serverMs),
      serverMsPlain: round(plain.serverMs),
      bytesSecagg: Math.round(secure.bytes),
      bytesPlain: Math.round(plain.bytes),
      neighbours,
      clientMsPrimitiveFloor: round(median(floors)),
    };
    log(
      `n=${n} d=${d}: client ${row.clientMsSecagg} ms vs ${row.clientMsPlain} ms (${ratio(row.clientMsSecagg, row.clientMsPlain)}×), ` +
        `server ${row.serverMsSecagg} ms vs ${row.serverMsPlain} ms (${ratio(row.serverMsSecagg, row.serverMsPlain)}×), ` +
        `bytes ${row.bytesSecagg} vs ${row.bytesPlain} (${ratio(row.bytesSecagg, row.bytesPlain)}×)`,
    );
    log(`  ${secure.clientBreakdown}`);
    log(`  ${secure.serverBreakdown}`);
    log(`  primitive floor at k = ${neighbours}: ${row.clientMsPrimitiveFloor} ms (${ratio(row.clientMsPrimitiveFloor, row.clientMsPlain)}× the plain client)`);
    results.push(row);
  }
  const dropout: DropoutRow[] = [];
  const n = options.dropoutCohort;
  const deltas = Array.from({ length: n }, () => syntheticDelta(random, d));
  for (const rate of options.dropoutRates) {
    const count = Math.round(rate * n);
    // Every k-th member, so the dropouts spread over the graph.
    const dropped = new Set(Array.from({ length: count }, (_, i) => 1 + Math.floor((i * n) / count)));
    const runs: Awaited<ReturnType<typeof runSecure>>[] = [];
    for (let r = 0; r < options.repeats; r++) {
      const run = await runSecure(n, numItems, dim, deltas, dropped);
      if (!run.exact) throw new Error(`n = ${n}, dropout ${rate}: the SecAgg sum differs from the plain sum of the survivors`);
      runs.push(run);
    }
    const secure = { serverMs: median(runs.map((run) => run.serverMs)) };
    const row: DropoutRow = { n, d, dropout: rate, serverMsSecagg: round(secure.serverMs) };
    log(`n=${n} d=${d} dropout ${rate * 100}%: server ${row.serverMsSecagg} ms`);
    log(`  ${runs[0]!.serverBreakdown}`);
    dropout.push(row);
  }
  return { results, dropout };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function ratio(a: number, b: number): string {
  return (a / b).toFixed(2);
}
