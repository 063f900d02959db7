import type { ModelUpdate, SharedModel } from '@fedrec/core';

/** What the client hands a training callback for one round. */
export interface TrainingRound {
  readonly roundId: number;
  /** The round's model, decoded and verified (shape, checksum, finite values). */
  readonly model: SharedModel;
  /** The server weights the mean by example count and wants it reported. */
  readonly wantsExampleCount: boolean;
  /** How long the server will wait for the update. */
  readonly timeoutMs: number;
}

/** A round's result: the already clipped and noised update, and (if asked for) its example count. */
export interface TrainingResult {
  readonly update: ModelUpdate;
  readonly exampleCount?: number;
}

/**
 * Computes one round's update. Returning null sits the round out. The
 * callback is responsible for privacy: whatever it returns is what leaves
 * the device.
 */
export type TrainingCallback = (round: TrainingRound) => TrainingResult | null | Promise<TrainingResult | null>;
