import { createHash } from 'node:crypto';
import { FormatError, decodeModel, encodeModel } from '@fedrec/core/format';
import type { SharedModel } from '@fedrec/core/model';
import { parameterCount } from '@fedrec/core/model';
import { z } from 'zod';
import type { OptimiserState } from '../optimisers/server-optimiser.js';
import { ServerError } from '../server-error.js';

/**
 * One checkpoint file: everything needed to resume after a crash.
 *
 *   offset  size  field
 *        0     8  magic "FRecCkpt"
 *        8     4  checkpoint format version (u32 LE): 1, or 2 when the
 *                 optimiser has state scalars (`optimiser.scalars` in the
 *                 metadata: denoising's noise variance), or 3 when the
 *                 metadata names the model's rows (`catalogue`); the
 *                 lowest that holds the contents is written, all are read
 *       12     4  metadata length L (u32 LE)
 *       16     L  metadata, UTF-8 JSON (see `metaSchema`), zero-padded to a multiple of 8
 *        …        sections in metadata order, each zero-padded to a multiple of 8:
 *                   "model": core's model file (it carries its own CRC-32)
 *                   "optimiser.<name>": a float64 LE state vector
 *      end-32  32  SHA-256 of every byte before it
 *
 * The trailing digest is checked before anything is parsed, so a torn or
 * truncated write (the crash a checkpoint exists for) is always detected.
 */
const MAGIC = new TextEncoder().encode('FRecCkpt');
/** Written when the optimiser state has no scalars, so that older servers can still read such checkpoints. */
const CHECKPOINT_FORMAT_VERSION = 1;
/** Adds `optimiser.scalars` to the metadata; a version-1 reader would reject the field, so it is told by the version. */
const CHECKPOINT_FORMAT_VERSION_SCALARS = 2;
/** Adds `catalogue` (the product id of each row) to the metadata, scalars allowed. */
const CHECKPOINT_FORMAT_VERSION_CATALOGUE = 3;
const PREFIX_BYTES = 16;
const DIGEST_BYTES = 32;

export interface CheckpointData {
  readonly model: SharedModel;
  readonly optimiser: OptimiserState;
  /** Id of the last applied round; null for a fresh model. */
  readonly lastRoundId: number | null;
  /** The id the next round will get (round ids are never reused, abandoned rounds included). */
  readonly nextRoundId: number;
  /** Opaque JSON from the privacy-ledger hook; null when there is none. */
  readonly privacyLedger: unknown;
  /** ISO 8601. */
  readonly createdAt: string;
  /** The product of each model row and the catalogue version the model was last grown to; absent before the server had a catalogue. */
  readonly catalogue?: ModelCatalogue | undefined;
}

/**
 * Which product each row of a model is: `itemIds[row]`, by the catalogue of
 * `version` (a content hash). Rows are append-only, so a later catalogue
 * must start with these ids.
 */
export interface ModelCatalogue {
  readonly version: string;
  readonly itemIds: readonly string[];
}

const metaSchema = z.strictObject({
  createdAt: z.string(),
  lastRoundId: z.number().int().min(0).nullable(),
  nextRoundId: z.number().int().min(0),
  modelVersion: z.number().int().min(0),
  optimiser: z.strictObject({
    kind: z.enum(['fedavg', 'fedavgm', 'fedadam']),
    step: z.number().int().min(0),
    scalars: z.record(z.string(), z.number()).optional(),
  }),
  privacyLedger: z.unknown(),
  catalogue: z.strictObject({ version: z.string().regex(/^[0-9a-f]{16}$/), itemIds: z.array(z.string().min(1)) }).optional(),
  sections: z.array(z.strictObject({ name: z.string().min(1), byteLength: z.number().int().min(0) })),
});

const pad8 = (n: number): number => (n + 7) & ~7;

function corrupt(message: string): ServerError {
  return new ServerError('CHECKPOINT_CORRUPT', message);
}

export function encodeCheckpoint(data: CheckpointData): Uint8Array {
  const modelBytes = encodeModel(data.model);
  const sections: { name: string; bytes: Uint8Array }[] = [{ name: 'model', bytes: modelBytes }];
  for (const [name, array] of Object.entries(data.optimiser.arrays)) {
    // Float64Array memory order is little-endian on every platform Node supports.
    sections.push({ name: `optimiser.${name}`, bytes: new Uint8Array(array.buffer, array.byteOffset, array.byteLength) });
  }
  const scalars = data.optimiser.scalars !== undefined && Object.keys(data.optimiser.scalars).length > 0 ? data.optimiser.scalars : undefined;
  for (const [name, value] of Object.entries(scalars ?? {})) {
    // JSON has no NaN or Infinity: refuse rather than write a checkpoint that cannot be read back.
    if (!Number.isFinite(value)) throw new RangeError(`expected a finite optimiser scalar '${name}', got ${value}`);
  }
  const meta = {
    createdAt: data.createdAt,
    lastRoundId: data.lastRoundId,
    nextRoundId: data.nextRoundId,
    modelVersion: data.model.version,
    optimiser: { kind: data.optimiser.kind, step: data.optimiser.step, ...(scalars !== undefined ? { scalars } : {}) },
    privacyLedger: data.privacyLedger === undefined ? null : data.privacyLedger,
    ...(data.catalogue !== undefined ? { catalogue: { version: data.catalogue.version, itemIds: data.catalogue.itemIds } } : {}),
    sections: sections.map(({ name, bytes }) => ({ name, byteLength: bytes.byteLength })),
  };
  // JSON.stringify throws on cycles and BigInt: the hook's output must be plain JSON.
  const metaBytes = new TextEncoder().encode(JSON.stringify(meta));
  let total = PREFIX_BYTES + pad8(metaBytes.byteLength);
  for (const section of sections) total += pad8(section.bytes.byteLength);
  const out = new Uint8Array(total + DIGEST_BYTES);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  if (data.catalogue !== undefined && data.catalogue.itemIds.length !== data.model.shape.numItems) {
    throw new RangeError(`expected one product id per model row (${data.model.shape.numItems}), got ${data.catalogue.itemIds.length}`);
  }
  const formatVersion = data.catalogue !== undefined ? CHECKPOINT_FORMAT_VERSION_CATALOGUE : scalars === undefined ? CHECKPOINT_FORMAT_VERSION : CHECKPOINT_FORMAT_VERSION_SCALARS;
  view.setUint32(8, formatVersion, true);
  view.setUint32(12, metaBytes.byteLength, true);
  out.set(metaBytes, PREFIX_BYTES);
  let offset = PREFIX_BYTES + pad8(metaBytes.byteLength);
  for (const section of sections) {
    out.set(section.bytes, offset);
    offset += pad8(section.bytes.byteLength);
  }
  out.set(createHash('sha256').update(out.subarray(0, total)).digest(), total);
  return out;
}

/** Parses and fully verifies a checkpoint. Throws ServerError('CHECKPOINT_CORRUPT') naming the first problem. */
export function decodeCheckpoint(bytes: Uint8Array): CheckpointData {
  if (bytes.byteLength < PREFIX_BYTES + DIGEST_BYTES) throw corrupt(`file is ${bytes.byteLength} bytes, too short for a checkpoint`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw corrupt('not a FedRec checkpoint (bad magic)');
  const body = bytes.subarray(0, bytes.byteLength - DIGEST_BYTES);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(bytes.subarray(body.byteLength))) throw corrupt('SHA-256 does not match: the file is truncated or corrupt');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const formatVersion = view.getUint32(8, true);
  if (formatVersion !== CHECKPOINT_FORMAT_VERSION && formatVersion !== CHECKPOINT_FORMAT_VERSION_SCALARS && formatVersion !== CHECKPOINT_FORMAT_VERSION_CATALOGUE) throw corrupt(`checkpoint format ${formatVersion} is not supported`);
  const metaLength = view.getUint32(12, true);
  if (PREFIX_BYTES + metaLength > body.byteLength) throw corrupt('metadata runs past the end of the file');
  let meta: z.infer<typeof metaSchema>;
  try {
    meta = metaSchema.parse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + metaLength))));
  } catch {
    throw corrupt('metadata is not valid checkpoint JSON');
  }
  const sections = new Map<string, Uint8Array>();
  let offset = PREFIX_BYTES + pad8(metaLength);
  for (const { name, byteLength } of meta.sections) {
    if (offset + byteLength > body.byteLength) throw corrupt(`section '${name}' runs past the end of the file`);
    sections.set(name, bytes.subarray(offset, offset + byteLength));
    offset += pad8(byteLength);
  }
  if (offset !== body.byteLength) throw corrupt('sections do not fill the file');
  const modelBytes = sections.get('model');
  if (modelBytes === undefined) throw corrupt("missing 'model' section");
  let model: SharedModel;
  try {
    model = decodeModel(modelBytes, { requireFinite: true });
  } catch (error) {
    throw corrupt(`model section: ${error instanceof FormatError ? error.code : 'invalid'}`);
  }
  if (model.version !== meta.modelVersion) throw corrupt('model version disagrees with the metadata');
  if (formatVersion === CHECKPOINT_FORMAT_VERSION && meta.optimiser.scalars !== undefined) throw corrupt(`optimiser scalars need checkpoint format ${CHECKPOINT_FORMAT_VERSION_SCALARS}`);
  if (formatVersion !== CHECKPOINT_FORMAT_VERSION_CATALOGUE && meta.catalogue !== undefined) throw corrupt(`a catalogue needs checkpoint format ${CHECKPOINT_FORMAT_VERSION_CATALOGUE}`);
  if (meta.catalogue !== undefined && meta.catalogue.itemIds.length !== model.shape.numItems) {
    throw corrupt(`the metadata names ${meta.catalogue.itemIds.length} products for a model of ${model.shape.numItems} rows`);
  }
  const floats = parameterCount(model.shape);
  const arrays: Record<string, Float64Array> = {};
  for (const [name, section] of sections) {
    if (!name.startsWith('optimiser.')) continue;
    if (section.byteLength !== floats * 8) throw corrupt(`section '${name}' is ${section.byteLength} bytes, expected ${floats * 8}`);
    const array = new Float64Array(floats);
    new Uint8Array(array.buffer).set(section);
    arrays[name.slice('optimiser.'.length)] = array;
  }
  return {
    model,
    optimiser: { kind: meta.optimiser.kind, step: meta.optimiser.step, arrays, ...(meta.optimiser.scalars !== undefined ? { scalars: meta.optimiser.scalars } : {}) },
    lastRoundId: meta.lastRoundId,
    nextRoundId: meta.nextRoundId,
    privacyLedger: meta.privacyLedger ?? null,
    createdAt: meta.createdAt,
    ...(meta.catalogue !== undefined ? { catalogue: meta.catalogue } : {}),
  };
}
