/**
 * Every protocol message carries `{ v, kind }`. Kind codes are explicit and
 * only ever appended: a number is never reused or renumbered, so a log line
 * or a captured packet means the same thing in every release.
 */
export const MessageKind = {
  /** client → server: "I can train now" (or, with `eligible: false`, "leave me out"). */
  ready: 1,
  /** server → client, once per connection: the client's id, the model's version and shape, the size limit. */
  welcome: 2,
  /** server → cohort member: an invitation to round `roundId`, with the model as binary. */
  roundStart: 3,
  /** client → server: the clipped, noised delta for a round, as binary. */
  update: 4,
  /** server → client: the update was counted. */
  updateAccepted: 5,
  /** server → client: a message (or the connection) was refused, with a RejectReason code. */
  rejected: 6,
  /** server → every client: a round ended, applied or abandoned, and the model version now current. */
  roundClosed: 7,
  /** server → cohort member of a securely aggregated round: one SecAgg+ stage message (keys, routed shares, unmask request). */
  secAggServer: 8,
  /** client → server: this client's SecAgg+ reply for a stage (keys, sealed shares, masked input, unmasking). */
  secAggClient: 9,
  /** client → server: this cohort member sits the round out, and why (only to a server whose welcome said `acceptsDeclines`). */
  decline: 10,
} as const;

export type MessageKindName = keyof typeof MessageKind;
export type MessageKindCode = (typeof MessageKind)[MessageKindName];

/**
 * socket.io event names, one per kind. Namespaced with `fedrec:` so they can
 * never collide with socket.io's reserved events (connect, disconnect, …).
 */
export const ProtocolEvent = {
  ready: 'fedrec:ready',
  welcome: 'fedrec:welcome',
  roundStart: 'fedrec:round-start',
  update: 'fedrec:update',
  updateAccepted: 'fedrec:update-accepted',
  rejected: 'fedrec:rejected',
  roundClosed: 'fedrec:round-closed',
  secAggServer: 'fedrec:secagg-server',
  secAggClient: 'fedrec:secagg-client',
  decline: 'fedrec:decline',
} as const satisfies Record<MessageKindName, string>;

export type ProtocolEventName = (typeof ProtocolEvent)[MessageKindName];

/** How a round ended. Codes are appended only. */
export const RoundOutcome = {
  /** The mean of the accepted updates was applied and the model version bumped. */
  applied: 1,
  /** Too few updates (or the server shut down with too few): nothing changed. */
  abandoned: 2,
} as const;

export type RoundOutcomeName = keyof typeof RoundOutcome;
export type RoundOutcomeCode = (typeof RoundOutcome)[RoundOutcomeName];
