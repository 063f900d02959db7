/**
 * Why a FedRec binary file was rejected. The set is closed and each value is
 * stable: callers (and logs, and the server's rejection counters) switch on
 * it, so codes are only ever added, never renamed.
 */
export type FormatErrorCode =
  | 'TRUNCATED'
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_FORMAT_VERSION'
  | 'UNKNOWN_KIND'
  | 'WRONG_KIND'
  | 'UNSUPPORTED_DTYPE'
  | 'RESERVED_NOT_ZERO'
  | 'BAD_SHAPE'
  | 'LENGTH_MISMATCH'
  | 'CHECKSUM_MISMATCH'
  | 'SHAPE_MISMATCH'
  | 'TOO_LARGE'
  | 'NON_FINITE';

/**
 * A malformed, corrupt or unexpected file. The message names the offending
 * header field and numbers only: the payload bytes may come from an untrusted
 * client, so they are never echoed into errors (and from there into logs).
 */
export class FormatError extends Error {
  override readonly name = 'FormatError';

  constructor(
    readonly code: FormatErrorCode,
    message: string,
  ) {
    super(message);
  }
}
