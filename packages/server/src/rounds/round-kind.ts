import type { ParameterShape } from '@fedrec/core/model';
import type { RoundPrivacy, RoundStartMessage, SecAggClientEnvelope, UpdateMessage } from '@fedrec/core/protocol';
import type { Logger } from 'pino';
import type { RoundsConfig } from '../config/server-config.js';
import type { PlannedRoundPrivacy, RoundPrivacyPolicy, SecureRoundNoise } from '../privacy/server-privacy.js';
import type { ServerStats } from '../status/server-stats.js';
import type { CloseCause } from './close-cause.js';
import type { SubmitResult } from './submit-result.js';
import type { UpdateAccumulator } from './update-accumulator.js';

/** What the coordinator has decided before a round of any kind opens. */
export interface RoundOpening {
  readonly roundId: number;
  /** The model version every update must be computed against (the model does not change while a round is open). */
  readonly modelVersion: number;
  /** The sampled cohort, sorted; at least `minUpdates` members. */
  readonly cohort: readonly string[];
  /** The round's DP parameters; null without DP. */
  readonly privacy: PlannedRoundPrivacy | null;
}

/**
 * What the coordinator lends one open round. `closeSoon` and `closeNow` act
 * on this round only: once it has closed they do nothing.
 */
export interface RoundHost {
  readonly rounds: RoundsConfig;
  readonly shape: ParameterShape;
  /** Parameter count of the model (the length of every update and of the sum). */
  readonly floats: number;
  /**
   * Where the round puts what it accepts: plain updates one by one, or a
   * secure round's decoded sum at once. The coordinator owns it (one
   * model-sized buffer reused round after round) and averages it when the
   * round closes: its `count` is the round's number of contributors.
   */
  readonly accumulator: UpdateAccumulator;
  readonly stats: ServerStats;
  readonly logger: Logger;
  /** Null without DP. */
  readonly privacyPolicy: RoundPrivacyPolicy | null;
  /** Closes the round after the handler now running has replied to its client. */
  closeSoon(cause: CloseCause): void;
  /** Closes the round now (from a timer or a callback, never inside a client's handler). */
  closeNow(cause: CloseCause): void;
  /** Runs `fn` from a timer or callback: an exception is logged, never thrown. */
  guard(what: string, fn: () => void): void;
}

/**
 * One open round of some kind: how it takes what members send, when it is
 * complete, and what the ledger must know about its noise. The coordinator
 * keeps everything common to all kinds (sampling, the round's deadline,
 * privacy planning and recording, the optimiser step, publishing, events);
 * a kind keeps only what differs.
 *
 * A round closes into the host's accumulator: its sum and contributor count
 * are what the coordinator averages and applies. A kind that aborts (a
 * secure round with too few survivors) closes with nothing added, and the
 * round is abandoned like any other with fewer than `minUpdates`.
 */
export interface AggregationRound {
  /** For logs. */
  readonly kind: string;
  /** The DP parameters announced in the invitation (null without DP). */
  readonly announcedPrivacy: RoundPrivacy | null;
  /** How long the coordinator lets the round stay open before closing it with cause `deadline`. */
  readonly deadlineMs: number;
  /** Accepted updates that reported `unclipped: true` (adaptive clipping); what the ledger's clip-bound update counts. */
  readonly unclipped: number;
  /** The noise split the ledger records for a round whose noise members add in pieces; undefined otherwise. */
  readonly ledgerNoise: SecureRoundNoise | undefined;
  /** Each member's own invitation, where members get different ones; absent: all get `message`. */
  invitationFor?(message: RoundStartMessage, clientId: string): RoundStartMessage;
  /** A cohort member reconnected: whether it may resume the round (it is then sent the invitation again). */
  rejoin(clientId: string): boolean;
  /** A cohort member disconnected. */
  leave(clientId: string): void;
  /** A plain update from a cohort member, its bytes already checked for size. Nothing changes unless the result is ok. */
  submitUpdate(clientId: string, meta: UpdateMessage, bytes: Uint8Array): SubmitResult;
  /** A SecAgg+ stage message from a cohort member. Nothing changes unless the result is ok. */
  submitSecAgg(clientId: string, envelope: SecAggClientEnvelope): SubmitResult;
  /** The round has closed (for any reason): stop timers; no callback may touch the host afterwards. */
  dispose(): void;
}

/** Why a kind could not open its round for this cohort: nobody was invited. */
export interface RoundRefusal {
  readonly cause: Extract<CloseCause, 'cohort-too-small' | 'budget-exhausted'>;
  /** Whether to try again after `retryDelayMs`; false when no round can ever open (the budget is spent). */
  readonly retry: boolean;
  readonly log: { readonly message: string; readonly detail: Readonly<Record<string, unknown>> };
}

export type RoundOpened = { readonly ok: true; readonly round: AggregationRound } | { readonly ok: false; readonly refusal: RoundRefusal };

/** Opens a round of one kind for a cohort (`chooseRoundKind` picks the kind from the config). */
export type RoundKind = (opening: RoundOpening, host: RoundHost) => RoundOpened;
