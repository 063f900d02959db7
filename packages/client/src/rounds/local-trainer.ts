import type { EventWeights, LocalTrainingConfig, RandomSource, ShoppingEvent, UpdatePrivacy } from '@fedrec/core';
import { createCryptoRandomSource, positiveItems, trainLocally } from '@fedrec/core';
import type { TrainingCallback } from './training-callback.js';

export interface LocalTrainerOptions {
  /** The shopper's events, or a function reading the latest ones (they never leave the device). */
  readonly events: readonly ShoppingEvent[] | (() => readonly ShoppingEvent[] | Promise<readonly ShoppingEvent[]>);
  /**
   * Clip norm C and noise multiplier z for rounds whose server sets no DP
   * parameters (rounds that carry them are clipped and noised as the server
   * says). Applied by the transport; the noise stream defaults to the
   * platform CSPRNG.
   */
  readonly privacy: UpdatePrivacy;
  readonly training?: Partial<LocalTrainingConfig>;
  readonly eventWeights?: EventWeights;
  /** Stream for negative sampling (not the noise). Default: the platform CSPRNG. */
  readonly random?: RandomSource;
}

/**
 * The default training callback: BPR on the shopper's own events
 * (`trainLocally`), returning the raw delta, which the transport then clips
 * and noises (`buildPrivateUpdate`) with the round's DP parameters. The
 * shopper's vector is kept in memory across rounds and never sent.
 *
 * A shopper with no usable events still answers with a (zero, then noised)
 * update: staying silent would tell the server something.
 */
export function createLocalTrainer(options: LocalTrainerOptions): TrainingCallback {
  const random = options.random ?? createCryptoRandomSource();
  let userVector: Float32Array | undefined;
  return async ({ model }) => {
    const events = typeof options.events === 'function' ? await options.events() : options.events;
    const { numItems, dim } = model.shape;
    const inCatalogue = events.filter((event) => Number.isInteger(event.item) && event.item >= 0 && event.item < numItems);
    const positives = positiveItems(inCatalogue, options.eventWeights);
    const trained = trainLocally({
      model,
      positives,
      ...(userVector !== undefined && userVector.length === dim ? { userVector } : {}),
      random,
      ...(options.training !== undefined ? { config: options.training } : {}),
    });
    userVector = trained.userVector;
    return { delta: trained.delta, exampleCount: Math.max(1, positives.items.length) };
  };
}
