import type { FormatErrorCode } from '../format/format-error.js';

/**
 * Why the server refused a message or a connection. Codes are explicit and
 * only ever appended (never renumbered or reused): clients switch on them,
 * and the server's counters and logs are keyed by them.
 */
export const RejectReason = {
  /** Metadata failed its schema, the binary part is missing, or the bytes are not a valid update file. */
  MALFORMED: 1,
  /** The update's shape differs from the model's. */
  WRONG_SHAPE: 2,
  /** The update holds NaN or ±Infinity. */
  NON_FINITE: 3,
  /** More bytes than an update of the model's shape can take. */
  TOO_LARGE: 4,
  /** Not for the round that is open now (or computed against another model version). */
  STALE_ROUND: 5,
  /** This client already had an update accepted in this round. */
  DUPLICATE: 6,
  /** This client was not sampled into the round's cohort. */
  NOT_IN_COHORT: 7,
  /** Missing, malformed, forged or expired token (refused at connection). */
  BAD_TOKEN: 8,
  /** The peer speaks another protocol or format version. */
  UNSUPPORTED_VERSION: 9,
  /** Too many refused messages: the server is disconnecting this client for a while. */
  TOO_MANY_STRIKES: 10,
  /** The server failed while handling the message; nothing was changed. */
  INTERNAL: 11,
  /** The secure-aggregation state machine refused a stage message; `secAggReason` holds its SecAggRejectReason code. */
  SECAGG_REFUSED: 12,
  /** A plain update was sent to a round that runs secure aggregation (or a SecAgg message to one that does not). */
  WRONG_AGGREGATION: 13,
  /**
   * The update's L2 norm is more than the round allows: the clip bound plus
   * what the round's noise can add (or `limits.maxUpdateNorm` without DP).
   * An honest client never gets this; one update must not be able to swamp
   * the mean.
   */
  NORM_TOO_LARGE: 14,
  /**
   * The client fell behind: more than the server's bound (`limits.maxBufferedBytes`)
   * was still queued for it, unread, so it was disconnected rather than buffered for.
   */
  SLOW_CONSUMER: 15,
} as const;

export type RejectReasonName = keyof typeof RejectReason;
export type RejectReasonCode = (typeof RejectReason)[RejectReasonName];

export const REJECT_REASON_NAMES: readonly RejectReasonName[] = Object.keys(RejectReason) as RejectReasonName[];

const NAME_BY_CODE = new Map<number, RejectReasonName>(REJECT_REASON_NAMES.map((name) => [RejectReason[name], name]));

/** The name for a code, or undefined for a code this build does not know (a newer peer's). */
export function rejectReasonName(code: number): RejectReasonName | undefined {
  return NAME_BY_CODE.get(code);
}

export function isRejectReasonCode(code: unknown): code is RejectReasonCode {
  return typeof code === 'number' && NAME_BY_CODE.has(code);
}

/**
 * The reason to report for a tensor file that failed to decode. Shape and
 * size problems get their own reasons so an honest but misconfigured client
 * can tell what is wrong; everything else is just MALFORMED.
 */
export function rejectReasonForFormatError(code: FormatErrorCode): RejectReasonName {
  switch (code) {
    case 'SHAPE_MISMATCH':
      return 'WRONG_SHAPE';
    case 'NON_FINITE':
      return 'NON_FINITE';
    case 'TOO_LARGE':
      return 'TOO_LARGE';
    case 'UNSUPPORTED_FORMAT_VERSION':
      return 'UNSUPPORTED_VERSION';
    default:
      return 'MALFORMED';
  }
}
