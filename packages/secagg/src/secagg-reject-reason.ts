/**
 * Why the SecAgg server refused a client message. Codes are explicit and only
 * ever appended (never renumbered or reused): transports forward them to
 * clients, and counters and logs are keyed by them. A refused message changes
 * nothing on the server, so one bad or replayed message never breaks the
 * round for the honest clients.
 */
export const SecAggRejectReason = {
  /** Not an object of the stage's shape: wrong types, lengths or unknown fields. */
  MALFORMED: 1,
  /** For another round. */
  WRONG_ROUND: 2,
  /** The sender index is not in the cohort 1…n. */
  NOT_IN_COHORT: 3,
  /** For a stage that is not open: sent early, late, or out of order. */
  WRONG_STAGE: 4,
  /** The sender already delivered a message for this stage (a replay included). */
  DUPLICATE: 5,
  /** The sender missed an earlier stage, so it cannot take part in this one. */
  DROPPED_EARLIER: 6,
  /** A public key is of low order, or equal to a key already advertised. */
  BAD_KEY: 7,
  /** Shares are not addressed to exactly the sender's neighbours that advertised keys. */
  BAD_RECIPIENTS: 8,
  /** A masked input of the wrong number of words. */
  WRONG_LENGTH: 9,
  /** A revealed share the sender does not hold, of the wrong kind for its owner, or given twice. */
  BAD_UNMASKING: 10,
  /** The round has finished or was aborted. */
  ROUND_ENDED: 11,
  /** The server failed while handling the message; nothing was changed. */
  INTERNAL: 12,
  /** The message's `sender` is not the index the transport assigned to the connection it came on. */
  WRONG_SENDER: 13,
} as const;

export type SecAggRejectReasonName = keyof typeof SecAggRejectReason;
export type SecAggRejectReasonCode = (typeof SecAggRejectReason)[SecAggRejectReasonName];
