import CRC32 from 'crc-32';
import type { ModelUpdate, ParameterShape, SharedModel } from '../model/shared-parameters.js';
import { parameterCount, sameShape } from '../model/shared-parameters.js';
import { readFloat32LE, writeFloat32LE } from './float32-payload.js';
import { FormatError } from './format-error.js';
import {
  CHECKSUMMED_HEADER_BYTES,
  HEADER_BYTES,
  payloadFloats,
  peekHeader,
  writeChecksum,
  writeHeader,
  type TensorHeader,
  type TensorKind,
} from './tensor-header.js';

export interface DecodeOptions {
  /** Reject (SHAPE_MISMATCH) any file whose shape differs, before reading the payload. */
  readonly expectedShape?: ParameterShape;
  /**
   * Reject (TOO_LARGE) files declaring more floats than this, before reading
   * the payload. Without it the output is still bounded by the input's size,
   * since the declared length must match the bytes actually present.
   */
  readonly maxFloats?: number;
  /** Reject (NON_FINITE) payloads containing NaN or ±Infinity. */
  readonly requireFinite?: boolean;
}

/** CRC-32 of the header's checksummed prefix followed by the payload, as unsigned. */
function checksumOf(file: Uint8Array, payloadByteLength: number): number {
  // SheetJS takes the previous CRC as the seed, so this equals one pass over the concatenation.
  const headerCrc = CRC32.buf(file.subarray(0, CHECKSUMMED_HEADER_BYTES));
  return CRC32.buf(file.subarray(HEADER_BYTES, HEADER_BYTES + payloadByteLength), headerCrc) >>> 0;
}

function encodeTensor(kind: TensorKind, version: number, shape: ParameterShape, values: Float32Array): Uint8Array {
  // writeHeader validates the shape first, so parameterCount below is over sane numbers.
  const header = new Uint8Array(HEADER_BYTES);
  writeHeader(header, { kind, version, shape });
  const expected = parameterCount(shape);
  if (values.length !== expected) {
    throw new RangeError(`expected ${expected} values for shape ${shape.numItems}×${shape.dim}, got ${values.length}`);
  }
  const out = new Uint8Array(HEADER_BYTES + values.byteLength);
  out.set(header, 0);
  writeFloat32LE(out, HEADER_BYTES, values);
  writeChecksum(out, checksumOf(out, values.byteLength));
  return out;
}

interface DecodedTensor {
  readonly header: TensorHeader;
  readonly values: Float32Array;
}

/**
 * Every check that can fail runs before the output array is allocated, and
 * the output is only returned once all have passed: a caller either gets a
 * complete, verified tensor or a FormatError.
 */
function decodeTensor(bytes: Uint8Array, kind: TensorKind, options: DecodeOptions, requireFiniteByDefault: boolean): DecodedTensor {
  const { expectedShape, maxFloats, requireFinite = requireFiniteByDefault } = options;
  if (maxFloats !== undefined && !(maxFloats >= 0)) {
    throw new RangeError(`maxFloats must be a non-negative number, got ${maxFloats}`);
  }
  const header = peekHeader(bytes);
  if (header.kind !== kind) {
    throw new FormatError('WRONG_KIND', `expected a ${kind} file, got a ${header.kind} file`);
  }
  const { shape, payloadByteLength } = header;
  if (expectedShape !== undefined && !sameShape(shape, expectedShape)) {
    throw new FormatError(
      'SHAPE_MISMATCH',
      `file has shape ${shape.numItems}×${shape.dim}, expected ${expectedShape.numItems}×${expectedShape.dim}`,
    );
  }
  const floats = payloadFloats(shape);
  if (maxFloats !== undefined && floats > maxFloats) {
    throw new FormatError('TOO_LARGE', `file declares ${floats} floats, more than the limit of ${maxFloats}`);
  }
  const totalBytes = HEADER_BYTES + payloadByteLength;
  if (bytes.byteLength < totalBytes) {
    throw new FormatError('TRUNCATED', `file is ${bytes.byteLength} bytes but its header declares ${totalBytes}`);
  }
  if (bytes.byteLength > totalBytes) {
    throw new FormatError('LENGTH_MISMATCH', `file is ${bytes.byteLength} bytes but its header declares ${totalBytes}`);
  }
  if (checksumOf(bytes, payloadByteLength) !== header.checksum) {
    throw new FormatError('CHECKSUM_MISMATCH', 'checksum does not match: the file is corrupt');
  }
  const values = readFloat32LE(bytes, HEADER_BYTES, floats);
  if (requireFinite) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new FormatError('NON_FINITE', `value at index ${i} is not finite`);
      }
    }
  }
  return { header, values };
}

/**
 * Serialises the shared model. Values are written bit for bit (including -0,
 * subnormals and NaN). Throws RangeError if the shape, value count or version
 * cannot be represented.
 */
export function encodeModel(model: SharedModel): Uint8Array {
  return encodeTensor('model', model.version, model.shape, model.values);
}

/**
 * Parses a model file. `requireFinite` defaults to false so that a stored
 * model round-trips exactly whatever it holds; pass true where a NaN model
 * should be refused on arrival rather than discovered in training.
 */
export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): SharedModel {
  const { header, values } = decodeTensor(bytes, 'model', options, false);
  return { shape: header.shape, version: header.version, values };
}

/** Serialises a client's update; the header's version field carries its base version. */
export function encodeUpdate(update: ModelUpdate): Uint8Array {
  return encodeTensor('update', update.baseVersion, update.shape, update.values);
}

/**
 * Parses an update file. Updates come from untrusted clients and a single NaN
 * would poison the aggregate, so `requireFinite` defaults to true.
 */
export function decodeUpdate(bytes: Uint8Array, options: DecodeOptions = {}): ModelUpdate {
  const { header, values } = decodeTensor(bytes, 'update', options, true);
  return { shape: header.shape, baseVersion: header.version, values };
}
