import type { ModelUpdate, RoundPrivacy, SharedModel } from '@fedrec/core';

/** What the client hands a training callback for one round. */
export interface TrainingRound {
  readonly roundId: number;
  /** The round's model, decoded and verified (shape, checksum, finite values). */
  readonly model: SharedModel;
  /** The server weights the mean by example count and wants it reported. */
  readonly wantsExampleCount: boolean;
  /** How long the server will wait for the update. */
  readonly timeoutMs: number;
  /** The round's DP parameters as the server set them (the transport applies them to a returned `delta`); null without DP. */
  readonly privacy: RoundPrivacy | null;
}

/**
 * A round's result, in one of two forms:
 *
 * - `delta`: the raw change to the shared parameters. The transport clips and
 *   noises it — with the round's DP parameters when the server sets them,
 *   otherwise with the client's own `privacy` option — so what leaves the
 *   device is exactly what the server's accountant assumes.
 * - `update`: an update the callback has already made private, sent as is.
 *   Only for rounds without DP parameters (e.g. simulations that noise
 *   themselves); a DP round refuses it.
 *
 * `exampleCount` is sent only when the round asked for it.
 */
export type TrainingResult =
  | { readonly delta: ModelUpdate; readonly update?: undefined; readonly exampleCount?: number }
  | { readonly update: ModelUpdate; readonly delta?: undefined; readonly exampleCount?: number };

/** Computes one round's result. Returning null sits the round out. */
export type TrainingCallback = (round: TrainingRound) => TrainingResult | null | Promise<TrainingResult | null>;
