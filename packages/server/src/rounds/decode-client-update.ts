import { FormatError, HEADER_BYTES, decodeUpdate, peekHeader } from '@fedrec/core/format';
import type { ModelUpdate, ParameterShape } from '@fedrec/core/model';
import { parameterCount } from '@fedrec/core/model';
import type { RejectReasonName } from '@fedrec/core/protocol';
import { rejectReasonForFormatError, toBytes } from '@fedrec/core/protocol';

export type DecodedClientUpdate =
  | { readonly ok: true; readonly update: ModelUpdate }
  | { readonly ok: false; readonly reason: RejectReasonName; readonly message: string };

/** Exact byte size of an update file for a model of `shape`: anything longer is TOO_LARGE. */
export function updateByteLength(shape: ParameterShape): number {
  return HEADER_BYTES + 4 * parameterCount(shape);
}

/** Checks that a message's binary part is bytes and no longer than an update of `shape` can be. Cheap: run it first. */
export function checkUpdateBytes(raw: unknown, shape: ParameterShape): { ok: true; bytes: Uint8Array } | { ok: false; reason: RejectReasonName; message: string } {
  const bytes = toBytes(raw);
  if (bytes === undefined) return { ok: false, reason: 'MALFORMED', message: 'expected the update as a binary attachment' };
  const limit = updateByteLength(shape);
  if (bytes.byteLength > limit) {
    return { ok: false, reason: 'TOO_LARGE', message: `update is ${bytes.byteLength} bytes, more than the ${limit} a ${shape.numItems}×${shape.dim} update takes` };
  }
  return { ok: true, bytes };
}

/**
 * Decodes an untrusted update against the model's shape: header, length,
 * checksum, shape and finiteness are all verified before the caller sees a
 * value. With `baseVersion`, the header's base version is checked first, so
 * an update for another model version costs a header read, not a checksum
 * over the whole payload. Never throws on bad input.
 */
export function decodeClientUpdate(bytes: Uint8Array, shape: ParameterShape, baseVersion?: number): DecodedClientUpdate {
  try {
    if (baseVersion !== undefined) {
      const header = peekHeader(bytes);
      if (header.kind === 'update' && header.version !== baseVersion) {
        return { ok: false, reason: 'STALE_ROUND', message: `update was computed against model version ${header.version}, this round uses ${baseVersion}` };
      }
    }
    const update = decodeUpdate(bytes, { expectedShape: shape, maxFloats: parameterCount(shape), requireFinite: true });
    return { ok: true, update };
  } catch (error) {
    if (error instanceof FormatError) return { ok: false, reason: rejectReasonForFormatError(error.code), message: error.message };
    throw error;
  }
}
