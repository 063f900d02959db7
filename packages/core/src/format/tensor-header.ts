import type { ParameterShape } from '../model/shared-parameters.js';
import { FormatError } from './format-error.js';

/**
 * Header of FedRec's tensor file, version 1. All integers little-endian.
 *
 *   offset size field
 *        0    4 magic "FRec"
 *        4    2 format version (u16) = 1
 *        6    1 kind (u8): see KIND_CODES
 *        7    1 dtype (u8): 1 = float32
 *        8    4 model version (u32): a model's version, or an update's base version
 *       12    4 numItems (u32)
 *       16    4 dim (u32)
 *       20    4 payload byte length (u32)
 *       24    4 reserved, must be zero in version 1
 *       28    4 CRC-32 (u32) of bytes 0..27 followed by the payload
 *       32      payload: numItems × (dim + 1) float32, the flat shared-parameter layout
 *
 * The header is 32 bytes, a multiple of 8, so a payload read in place is
 * aligned for Float32Array (and for a future float64 dtype). The reserved word
 * sits before the checksum so that the checksum covers every header byte.
 */
export const HEADER_BYTES = 32;
export const FORMAT_VERSION = 1;

/** "FRec" */
const MAGIC = [0x46, 0x52, 0x65, 0x63] as const;

const OFFSET = {
  magic: 0,
  formatVersion: 4,
  kind: 6,
  dtype: 7,
  version: 8,
  numItems: 12,
  dim: 16,
  payloadByteLength: 20,
  reserved: 24,
  checksum: 28,
} as const;

/** Bytes covered by the checksum before the payload. */
export const CHECKSUMMED_HEADER_BYTES = OFFSET.checksum;

export type TensorKind = 'model' | 'update';
export type TensorDtype = 'float32';

/**
 * Numeric kind codes on the wire. Old readers must keep meaning the same thing
 * by the same byte, so new kinds are only ever appended with a fresh number;
 * a number is never reused or renumbered.
 */
const KIND_CODES: Readonly<Record<TensorKind, number>> = { model: 1, update: 2 };
const DTYPE_CODES: Readonly<Record<TensorDtype, number>> = { float32: 1 };
const DTYPE_BYTES: Readonly<Record<TensorDtype, number>> = { float32: 4 };

const U32_MAX = 0xffff_ffff;

export interface TensorHeader {
  readonly formatVersion: number;
  readonly kind: TensorKind;
  readonly dtype: TensorDtype;
  /** For a model its version; for an update the base version it was computed against. */
  readonly version: number;
  readonly shape: ParameterShape;
  readonly payloadByteLength: number;
  /** As stored; `peekHeader` does not verify it (it may not have the payload). */
  readonly checksum: number;
}

/** The header fields a writer chooses; the rest follow from them. */
export interface TensorHeaderFields {
  readonly kind: TensorKind;
  readonly version: number;
  readonly shape: ParameterShape;
}

function fromCode<T extends string>(codes: Readonly<Record<T, number>>, code: number): T | undefined {
  for (const name of Object.keys(codes) as T[]) {
    if (codes[name] === code) return name;
  }
  return undefined;
}

/** Floats in the payload; plain float64 arithmetic is exact here because both factors are u32-bounded and we only compare. */
export function payloadFloats(shape: ParameterShape): number {
  return shape.numItems * (shape.dim + 1);
}

/**
 * Parses and sanity-checks the fixed header without touching the payload, so
 * a caller can route or reject a file (wrong kind, unexpected shape) before
 * reading the rest. The checksum is returned but not verified here.
 */
export function peekHeader(bytes: Uint8Array): TensorHeader {
  if (bytes.byteLength < HEADER_BYTES) {
    throw new FormatError('TRUNCATED', `file is ${bytes.byteLength} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[OFFSET.magic + i] !== MAGIC[i]) {
      throw new FormatError('BAD_MAGIC', 'not a FedRec tensor file (bad magic)');
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const formatVersion = view.getUint16(OFFSET.formatVersion, true);
  if (formatVersion !== FORMAT_VERSION) {
    throw new FormatError('UNSUPPORTED_FORMAT_VERSION', `format version ${formatVersion} is not supported (expected ${FORMAT_VERSION})`);
  }
  const kindCode = view.getUint8(OFFSET.kind);
  const kind = fromCode(KIND_CODES, kindCode);
  if (kind === undefined) {
    throw new FormatError('UNKNOWN_KIND', `unknown kind code ${kindCode}`);
  }
  const dtypeCode = view.getUint8(OFFSET.dtype);
  const dtype = fromCode(DTYPE_CODES, dtypeCode);
  if (dtype === undefined) {
    throw new FormatError('UNSUPPORTED_DTYPE', `unsupported dtype code ${dtypeCode}`);
  }
  const reserved = view.getUint32(OFFSET.reserved, true);
  if (reserved !== 0) {
    throw new FormatError('RESERVED_NOT_ZERO', 'reserved header word is not zero');
  }
  const numItems = view.getUint32(OFFSET.numItems, true);
  const dim = view.getUint32(OFFSET.dim, true);
  if (numItems < 1 || dim < 1) {
    throw new FormatError('BAD_SHAPE', `invalid shape ${numItems}×${dim}`);
  }
  const shape: ParameterShape = { numItems, dim };
  const payloadByteLength = view.getUint32(OFFSET.payloadByteLength, true);
  const expectedBytes = payloadFloats(shape) * DTYPE_BYTES[dtype];
  if (payloadByteLength !== expectedBytes) {
    throw new FormatError(
      'LENGTH_MISMATCH',
      `header declares a ${payloadByteLength}-byte payload but shape ${numItems}×${dim} needs ${expectedBytes}`,
    );
  }
  return {
    formatVersion,
    kind,
    dtype,
    version: view.getUint32(OFFSET.version, true),
    shape,
    payloadByteLength,
    checksum: view.getUint32(OFFSET.checksum, true),
  };
}

/**
 * Writes a version-1 header into `out[0..HEADER_BYTES)`, with the checksum
 * field zeroed (the caller fills it in once the payload is in place).
 * Throws RangeError for fields the format cannot represent.
 */
export function writeHeader(out: Uint8Array, fields: TensorHeaderFields): void {
  const { kind, version, shape } = fields;
  if (!Number.isInteger(version) || version < 0 || version > U32_MAX) {
    throw new RangeError(`version must be an integer in [0, ${U32_MAX}], got ${version}`);
  }
  const { numItems, dim } = shape;
  if (!Number.isInteger(numItems) || numItems < 1 || numItems > U32_MAX) {
    throw new RangeError(`numItems must be an integer in [1, ${U32_MAX}], got ${numItems}`);
  }
  if (!Number.isInteger(dim) || dim < 1 || dim > U32_MAX) {
    throw new RangeError(`dim must be an integer in [1, ${U32_MAX}], got ${dim}`);
  }
  const payloadByteLength = payloadFloats(shape) * DTYPE_BYTES.float32;
  if (payloadByteLength > U32_MAX) {
    throw new RangeError(`a ${numItems}×${dim} payload (${payloadByteLength} bytes) exceeds the format's 4 GiB limit`);
  }
  out.fill(0, 0, HEADER_BYTES);
  out.set(MAGIC, OFFSET.magic);
  const view = new DataView(out.buffer, out.byteOffset, HEADER_BYTES);
  view.setUint16(OFFSET.formatVersion, FORMAT_VERSION, true);
  view.setUint8(OFFSET.kind, KIND_CODES[kind]);
  view.setUint8(OFFSET.dtype, DTYPE_CODES.float32);
  view.setUint32(OFFSET.version, version, true);
  view.setUint32(OFFSET.numItems, numItems, true);
  view.setUint32(OFFSET.dim, dim, true);
  view.setUint32(OFFSET.payloadByteLength, payloadByteLength, true);
}

/** Stores the checksum (as unsigned) in a header written by `writeHeader`. */
export function writeChecksum(out: Uint8Array, checksum: number): void {
  new DataView(out.buffer, out.byteOffset, HEADER_BYTES).setUint32(OFFSET.checksum, checksum >>> 0, true);
}
