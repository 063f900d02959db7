import { DECLINE_REASONS } from '@fedrec/core/protocol';
import { HOST_IS_LITTLE_ENDIAN } from '@fedrec/core/format';
import { z } from 'zod';
import type { DeclineCounts } from '../rounds/decline-counts.js';

/**
 * One node's part of a round: the (weighted) sum of the updates its own
 * cohort members sent — or, under secure aggregation, the sum SecAgg+
 * revealed for that node's group — never an individual update.
 *
 *   offset  size  field
 *        0     8  magic "FRecPSum"
 *        8     4  format version (u32 LE): 1
 *       12     4  header length H (u32 LE)
 *       16     H  header, UTF-8 JSON (see `headerSchema`), zero-padded to a multiple of 8
 *        …   8·n  the sum, float64 LE, n = the model's parameter count
 */
export interface PartialSum {
  readonly nodeId: string;
  /** The fencing token of the round's announcement (a partial for another coordinator's round is ignored). */
  readonly token: number;
  readonly roundId: number;
  readonly modelVersion: number;
  /** Updates in the sum. */
  readonly count: number;
  /** Their total weight (= count with uniform weighting). */
  readonly totalWeight: number;
  /** Of them, those that reported `unclipped: true`. */
  readonly unclipped: number;
  /** The node's own cohort. */
  readonly cohortSize: number;
  readonly declined: DeclineCounts;
  readonly sum: Float64Array;
}

const MAGIC = new TextEncoder().encode('FRecPSum');
const FORMAT_VERSION = 1;
const PREFIX_BYTES = 16;
/** Far more than any header we write: a longer one is refused before it is parsed. */
const MAX_HEADER_BYTES = 4_096;
const pad8 = (n: number): number => (n + 7) & ~7;

const count = z.number().int().min(0);
const headerSchema = z.strictObject({
  nodeId: z.string().min(1).max(64),
  token: z.number().int().min(1),
  roundId: count,
  modelVersion: count,
  count,
  totalWeight: z.number().min(0),
  unclipped: count,
  cohortSize: count,
  declined: z.strictObject(Object.fromEntries(DECLINE_REASONS.map((reason) => [reason, count])) as Record<(typeof DECLINE_REASONS)[number], typeof count>),
});

export class PartialSumError extends Error {
  override readonly name = 'PartialSumError';
}

export function encodePartialSum(partial: PartialSum): Uint8Array {
  const { sum, ...header } = partial;
  const json = new TextEncoder().encode(JSON.stringify(header));
  const offset = PREFIX_BYTES + pad8(json.byteLength);
  const out = new Uint8Array(offset + sum.byteLength);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, json.byteLength, true);
  out.set(json, PREFIX_BYTES);
  if (HOST_IS_LITTLE_ENDIAN) out.set(new Uint8Array(sum.buffer, sum.byteOffset, sum.byteLength), offset);
  else for (let i = 0; i < sum.length; i++) view.setFloat64(offset + 8 * i, sum[i]!, true);
  return out;
}

/**
 * Parses and checks a partial sum of a model with `floats` parameters.
 * Throws PartialSumError naming the first problem (never the payload).
 *
 * The returned `sum` is a view over `bytes` where it can be (a little-endian
 * host and an 8-byte-aligned sum: Redis hands a large reply over in a buffer
 * of its own, at offset 0), so the caller must not reuse `bytes` while it
 * holds the sum. Copying instead cost more than everything else the
 * coordinator does per node: allocating and filling a fresh 224 KiB array
 * took ~0.8 ms against ~0.03 ms for adding it (issue #17).
 */
export function decodePartialSum(bytes: Uint8Array, floats: number): PartialSum {
  if (bytes.byteLength < PREFIX_BYTES) throw new PartialSumError(`${bytes.byteLength} bytes, too short for a partial sum`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw new PartialSumError('not a partial sum (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) throw new PartialSumError(`partial sum format ${version} is not supported`);
  const headerLength = view.getUint32(12, true);
  if (headerLength > MAX_HEADER_BYTES || PREFIX_BYTES + headerLength > bytes.byteLength) throw new PartialSumError(`header of ${headerLength} bytes does not fit`);
  let header: z.infer<typeof headerSchema>;
  try {
    header = headerSchema.parse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength))));
  } catch {
    throw new PartialSumError('header is not a valid partial-sum header');
  }
  const offset = PREFIX_BYTES + pad8(headerLength);
  if (bytes.byteLength - offset !== floats * 8) throw new PartialSumError(`expected a sum of ${floats} float64s, got ${bytes.byteLength - offset} bytes`);
  const sum = readSum(bytes, view, offset, floats);
  for (let i = 0; i < floats; i++) if (!Number.isFinite(sum[i]!)) throw new PartialSumError('the sum is not finite');
  if (header.count === 0 && header.totalWeight !== 0) throw new PartialSumError('an empty partial sum with a weight');
  return { ...header, declined: header.declined as DeclineCounts, sum };
}

/** The float64 LE sum at `offset`: a view where the host and alignment allow, a copy otherwise. */
function readSum(bytes: Uint8Array, view: DataView, offset: number, floats: number): Float64Array {
  const start = bytes.byteOffset + offset;
  if (HOST_IS_LITTLE_ENDIAN && start % Float64Array.BYTES_PER_ELEMENT === 0) return new Float64Array(bytes.buffer, start, floats);
  const sum = new Float64Array(floats);
  if (HOST_IS_LITTLE_ENDIAN) new Uint8Array(sum.buffer).set(bytes.subarray(offset));
  else for (let i = 0; i < floats; i++) sum[i] = view.getFloat64(offset + 8 * i, true);
  return sum;
}
