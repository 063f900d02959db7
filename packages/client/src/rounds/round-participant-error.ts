import type { RejectReasonName } from '@fedrec/core';

export type RoundParticipantErrorCode =
  /** The server refused the connection (see `reason`); the client will not retry on its own. */
  | 'CONNECTION_REFUSED'
  /** The token provider threw or returned nothing. */
  | 'TOKEN_UNAVAILABLE'
  /** The server sent something that is not valid protocol (bad metadata, a corrupt or mis-shaped model). */
  | 'BAD_SERVER_MESSAGE'
  /** The training callback threw, or returned an update that does not fit the round's model (or its privacy settings). */
  | 'TRAINING_FAILED'
  /** The `beforeRound` hook threw or rejected; the round was declined. */
  | 'BEFORE_ROUND_FAILED';

/** A problem the client reports through its `error` event. Messages never carry model or update contents. */
export class RoundParticipantError extends Error {
  override readonly name = 'RoundParticipantError';

  constructor(
    readonly code: RoundParticipantErrorCode,
    message: string,
    /** For CONNECTION_REFUSED: the server's reason. */
    readonly reason?: RejectReasonName | 'UNKNOWN',
  ) {
    super(message);
  }
}

/** A refusal from the server, as surfaced by the client's `rejected` event. */
export interface RoundRejection {
  /** The reason's name, or 'UNKNOWN' for a code newer than this client. */
  readonly reason: RejectReasonName | 'UNKNOWN';
  readonly code: number;
  readonly roundId: number | null;
  readonly message: string;
  /** `connection`: the handshake was refused; `message`: a message was. */
  readonly stage: 'connection' | 'message';
  /** With reason SECAGG_REFUSED: the SecAggRejectReason code of the refused stage message. */
  readonly secAggReason?: number;
}
