import type { RejectReasonName } from '@fedrec/core/protocol';

/** The answer to one client message addressed to a round (a plain update or a SecAgg+ stage message). */
export type SubmitResult =
  | { readonly ok: true; readonly roundId: number }
  | {
      readonly ok: false;
      readonly reason: RejectReasonName;
      readonly roundId: number | null;
      readonly message: string;
      /** With SECAGG_REFUSED: the SecAggRejectReason code. */
      readonly secAggReason?: number;
      /**
       * Counts as a strike even though the reason alone would not: a
       * STALE_ROUND no honest client can earn (a round that never opened, or
       * the open round's id with another model version).
       */
      readonly strike?: boolean;
    };

/** A refusal; `strike` only when set, so the result carries no `strike: false`. */
export function rejected(reason: RejectReasonName, roundId: number | null, message: string, strike = false): SubmitResult {
  return { ok: false, reason, roundId, message, ...(strike ? { strike } : {}) };
}
