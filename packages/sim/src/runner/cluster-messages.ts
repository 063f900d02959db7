import type { PopulationSpec } from '../population/population-spec.js';
import type { ChunkResult, ClientUpdateSettings, RoundSettings } from './client-update-chunk.js';
import { ClusterMessageError } from './cluster-message-error.js';
import { clusterJobBodySchema } from './cluster-job-schema.js';
import { WireReader, WireWriter } from './cluster-wire.js';
import { BLOCK_CHUNKS, CHUNK_SIZE } from './cohort-chunks.js';

/**
 * The messages of the simulation cluster, as they sit in Redis: binary,
 * versioned, and checked field by field when read. Each starts with the
 * magic "FRSC", the protocol version and its kind. (The round's model is
 * stored in core's model file format, which has its own header and CRC.)
 *
 * - job: what a worker needs to rebuild the population (one per simulation);
 * - chunk: a slice of a round's cohort (shopper ids: one block of the
 *   summation tree, at most 128) and the round's settings;
 * - result: the chunk's partial sum (float64) and counts;
 * - failure: a chunk the worker could not compute, and why.
 */
export const CLUSTER_PROTOCOL_VERSION = 1;

const MAGIC = new Uint8Array([0x46, 0x52, 0x53, 0x43]); // "FRSC"
const HEADER_BYTES = MAGIC.length + 2;

export const ClusterMessageKind = { job: 1, chunk: 2, result: 3, failure: 4 } as const;
type KindName = keyof typeof ClusterMessageKind;

/** Job ids name Redis keys: short, and nothing that could split a key. */
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Bounds on untrusted lengths, far above what the runner writes. */
const MAX_JOB_BYTES = 64 * 1024;
const MAX_FAILURE_BYTES = 16 * 1024;
const MAX_SUM_LENGTH = 1 << 28;
const MAX_CHUNK_SHOPPERS = CHUNK_SIZE * BLOCK_CHUNKS;

export interface ClusterJob {
  readonly jobId: string;
  readonly population: PopulationSpec;
  readonly settings: ClientUpdateSettings;
}

/** Where a chunk belongs: the job, the executor's round step (each step has its own model) and the chunk's place in the round. */
export interface ChunkAddress {
  readonly jobId: string;
  readonly step: number;
  readonly chunkId: number;
}

export interface ClusterChunk extends ChunkAddress {
  readonly round: RoundSettings;
  readonly shoppers: Int32Array;
}

export type ClusterReply = (ChunkAddress & { readonly type: 'result'; readonly result: ChunkResult }) | (ChunkAddress & { readonly type: 'failure'; readonly message: string });

const utf8 = new TextEncoder();

function writer(kind: KindName, bodyBytes: number): WireWriter {
  return new WireWriter(HEADER_BYTES + bodyBytes).raw(MAGIC).u8(CLUSTER_PROTOCOL_VERSION).u8(ClusterMessageKind[kind]);
}

/** Checks the header and returns the reader positioned after it, and the kind. */
function reader(bytes: Uint8Array, expected: readonly KindName[]): { readonly read: WireReader; readonly kind: KindName } {
  const what = `cluster ${expected.join(' or ')} message`;
  if (bytes.byteLength < HEADER_BYTES || MAGIC.some((b, i) => bytes[i] !== b)) throw new ClusterMessageError(`${what}: not a FedRec cluster message (bad magic)`);
  const read = new WireReader(bytes.subarray(MAGIC.length), what);
  const version = read.u8('version');
  if (version !== CLUSTER_PROTOCOL_VERSION) throw new ClusterMessageError(`${what}: protocol version ${version}, this worker speaks ${CLUSTER_PROTOCOL_VERSION} (run the same FedRec version on the runner and every worker)`);
  const code = read.u8('kind');
  const kind = expected.find((name) => ClusterMessageKind[name] === code);
  if (kind === undefined) throw new ClusterMessageError(`${what}: got kind ${code}`);
  return { read, kind };
}

function readAddress(read: WireReader): ChunkAddress {
  const jobId = read.string('job id', 64);
  if (!JOB_ID.test(jobId)) throw new ClusterMessageError(`expected a job id of 1–64 letters, digits, - or _, got ${JSON.stringify(jobId)}`);
  return { jobId, step: read.u32('step'), chunkId: read.u32('chunk id') };
}

function addressBytes(address: ChunkAddress): { readonly jobId: Uint8Array; readonly size: number } {
  if (!JOB_ID.test(address.jobId)) throw new RangeError(`expected a job id of 1–64 letters, digits, - or _, got ${JSON.stringify(address.jobId)}`);
  const jobId = utf8.encode(address.jobId);
  return { jobId, size: 4 + jobId.byteLength + 8 };
}

function writeAddress(w: WireWriter, address: ChunkAddress, jobId: Uint8Array): WireWriter {
  return w.string(jobId).u32(address.step).u32(address.chunkId);
}

export function encodeJob(job: ClusterJob): Uint8Array {
  const { jobId } = addressBytes({ jobId: job.jobId, step: 0, chunkId: 0 });
  const body = utf8.encode(JSON.stringify({ population: job.population, settings: job.settings }));
  return writer('job', 4 + jobId.byteLength + 4 + body.byteLength).string(jobId).string(body).finish();
}

export function decodeJob(bytes: Uint8Array): ClusterJob {
  const { read } = reader(bytes, ['job']);
  const jobId = read.string('job id', 64);
  if (!JOB_ID.test(jobId)) throw new ClusterMessageError(`expected a job id of 1–64 letters, digits, - or _, got ${JSON.stringify(jobId)}`);
  const text = read.string('job body', MAX_JOB_BYTES);
  read.end();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ClusterMessageError('cluster job message: the body is not JSON');
  }
  const parsed = clusterJobBodySchema.safeParse(json);
  if (!parsed.success) throw new ClusterMessageError(`cluster job message: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  return { jobId, ...parsed.data };
}

export function encodeChunk(chunk: ClusterChunk): Uint8Array {
  const { jobId, size } = addressBytes(chunk);
  return writeAddress(writer('chunk', size + 4 + 16 + 4 + chunk.shoppers.byteLength), chunk, jobId)
    .u32(chunk.round.round)
    .f64(chunk.round.clipNorm)
    .f64(chunk.round.localNoiseMultiplier)
    .u32(chunk.shoppers.length)
    .typed(chunk.shoppers)
    .finish();
}

export function decodeChunk(bytes: Uint8Array): ClusterChunk {
  const { read } = reader(bytes, ['chunk']);
  const address = readAddress(read);
  const round = { round: read.u32('round'), clipNorm: read.f64('clip norm'), localNoiseMultiplier: read.f64('local noise multiplier') };
  if (!(round.clipNorm > 0) || !Number.isFinite(round.clipNorm)) throw new ClusterMessageError(`cluster chunk message: expected a clip norm > 0 and finite, got ${round.clipNorm}`);
  if (!(round.localNoiseMultiplier >= 0) || !Number.isFinite(round.localNoiseMultiplier)) {
    throw new ClusterMessageError(`cluster chunk message: expected a local noise multiplier >= 0 and finite, got ${round.localNoiseMultiplier}`);
  }
  const count = read.u32('shopper count');
  // More would be more than one block of the summation tree, and sum differently from the in-process run.
  if (count < 1 || count > MAX_CHUNK_SHOPPERS) throw new ClusterMessageError(`cluster chunk message: expected 1 to ${MAX_CHUNK_SHOPPERS} shoppers (one block), got ${count}`);
  const shoppers = read.int32s(count, 'shoppers');
  read.end();
  for (const s of shoppers) if (s < 0) throw new ClusterMessageError(`cluster chunk message: expected shopper ids >= 0, got ${s}`);
  return { ...address, round, shoppers };
}

/**
 * How a result's sum travels, whichever is smallest. With central noise a
 * chunk's sum is zero outside the rows its shoppers trained: a third of the
 * coordinates at MovieLens-100K scale (a bitmap of the non-zeros and their
 * values), nearly all for a small cohort in a large catalogue (indices and
 * values). Skipping zeros is exact: a sum that starts at +0 is never -0,
 * and adding +0 changes nothing.
 */
const DENSE = 0;
const SPARSE = 1;
const BITMAP = 2;

export function encodeResult(address: ChunkAddress, result: ChunkResult): Uint8Array {
  const { jobId, size } = addressBytes(address);
  const { sum } = result;
  let nonZero = 0;
  for (let i = 0; i < sum.length; i++) if (sum[i] !== 0) nonZero++;
  const bitmapBytes = (sum.length + 7) >> 3;
  const sizes = [sum.byteLength, 4 + nonZero * 12, 4 + bitmapBytes + nonZero * 8];
  const encoding = sizes.indexOf(Math.min(...sizes));
  const w = writeAddress(writer('result', size + 12 + 8 + 4 + 1 + sizes[encoding]!), address, jobId)
    .u32(result.contributors)
    .u32(result.clipped)
    .u32(result.unclipped)
    .f64(result.normSum)
    .u32(sum.length)
    .u8(encoding);
  if (encoding === DENSE) return w.typed(sum).finish();
  const values = new Float64Array(nonZero);
  if (encoding === SPARSE) {
    const indices = new Uint32Array(nonZero);
    for (let i = 0, k = 0; i < sum.length; i++) {
      if (sum[i] === 0) continue;
      indices[k] = i;
      values[k++] = sum[i]!;
    }
    return w.u32(nonZero).typed(indices).typed(values).finish();
  }
  const bitmap = new Uint8Array(bitmapBytes);
  for (let i = 0, k = 0; i < sum.length; i++) {
    if (sum[i] === 0) continue;
    bitmap[i >> 3]! |= 1 << (i & 7);
    values[k++] = sum[i]!;
  }
  return w.u32(nonZero).raw(bitmap).typed(values).finish();
}

export function encodeFailure(address: ChunkAddress, message: string): Uint8Array {
  const { jobId, size } = addressBytes(address);
  const text = utf8.encode(message.slice(0, MAX_FAILURE_BYTES / 4));
  return writeAddress(writer('failure', size + 4 + text.byteLength), address, jobId).string(text).finish();
}

/**
 * A worker's reply. `expectedLength`: the model's parameter count (a sum of
 * another length is refused); `scratch`, a spent sum of that length, is
 * filled instead of allocating one.
 */
export function decodeReply(bytes: Uint8Array, expectedLength: number, scratch?: Float64Array): ClusterReply {
  const { read, kind } = reader(bytes, ['result', 'failure']);
  const address = readAddress(read);
  if (kind === 'failure') {
    const message = read.string('failure message', MAX_FAILURE_BYTES);
    read.end();
    return { type: 'failure', ...address, message };
  }
  const contributors = read.u32('contributors');
  const clipped = read.u32('clipped');
  const unclipped = read.u32('unclipped');
  const normSum = read.f64('norm sum');
  if (clipped > contributors || unclipped > contributors) throw new ClusterMessageError(`cluster result message: ${clipped} clipped and ${unclipped} unclipped of ${contributors} contributors`);
  // NaN passes: a diverged run gives the in-process path NaN too, and the numbers must not depend on where chunks ran.
  if (normSum < 0) throw new ClusterMessageError(`cluster result message: expected a norm sum >= 0, got ${normSum}`);
  const length = read.u32('sum length');
  if (length !== expectedLength || length > MAX_SUM_LENGTH) throw new ClusterMessageError(`cluster result message: expected a sum of ${expectedLength} values, got ${length}`);
  const encoding = read.u8('encoding');
  let sum: Float64Array;
  if (encoding === DENSE) {
    sum = read.float64s(length, 'sum', scratch);
  } else if (encoding === SPARSE) {
    const nonZero = read.u32('non-zero count');
    if (nonZero > length) throw new ClusterMessageError(`cluster result message: ${nonZero} non-zero values in a sum of ${length}`);
    const indices = read.uint32s(nonZero, 'indices');
    const values = read.float64s(nonZero, 'values');
    sum = scratch?.length === length ? scratch.fill(0) : new Float64Array(length);
    let previous = -1;
    for (let k = 0; k < nonZero; k++) {
      const i = indices[k]!;
      if (i <= previous || i >= length) throw new ClusterMessageError(`cluster result message: expected increasing indices below ${length}, got ${i} after ${previous}`);
      sum[i] = values[k]!;
      previous = i;
    }
  } else if (encoding === BITMAP) {
    const nonZero = read.u32('non-zero count');
    if (nonZero > length) throw new ClusterMessageError(`cluster result message: ${nonZero} non-zero values in a sum of ${length}`);
    const bitmap = read.raw((length + 7) >> 3, 'bitmap');
    const values = read.float64s(nonZero, 'values');
    sum = scratch?.length === length ? scratch.fill(0) : new Float64Array(length);
    let k = 0;
    for (let i = 0; i < length; i++) {
      if ((bitmap[i >> 3]! & (1 << (i & 7))) === 0) continue;
      if (k === nonZero) throw new ClusterMessageError(`cluster result message: the bitmap marks more than its ${nonZero} non-zero values`);
      sum[i] = values[k++]!;
    }
    if (k !== nonZero) throw new ClusterMessageError(`cluster result message: the bitmap marks ${k} of its ${nonZero} non-zero values`);
    // Bits past the end would be a different writer's padding: refuse them rather than guess.
    if (length % 8 !== 0 && bitmap[bitmap.length - 1]! >> (length % 8) !== 0) throw new ClusterMessageError('cluster result message: bitmap bits set past the end of the sum');
  } else {
    throw new ClusterMessageError(`cluster result message: unknown sum encoding ${encoding}`);
  }
  read.end();
  return { type: 'result', ...address, result: { sum, contributors, clipped, unclipped, normSum } };
}
