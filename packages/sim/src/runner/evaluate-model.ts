import { evaluateLeaveOneOut, fitUserVector, positiveItems, scoreAllItems, createSeededRandomSource } from '@fedrec/core';
import type { SharedModel, LeaveOneOutReport, LocalTrainingConfig, EventWeights, ShoppingEvent } from '@fedrec/core';
import type { Population } from '../population/population.js';
import { leaveOneOut } from '../population/leave-one-out.js';

export interface EvaluationOptions {
  readonly population: Population;
  /** Shopper indices to evaluate (a fixed sample, the same every round). */
  readonly shoppers: readonly number[];
  readonly seed: string | number;
  readonly localTraining?: Partial<LocalTrainingConfig>;
  readonly eventWeights?: EventWeights;
}

export const SAMPLED_NEGATIVES = 99;

/** One evaluation shopper: their training history (events and positives) and the item held out. */
export interface EvaluationShopper {
  readonly index: number;
  readonly events: readonly ShoppingEvent[];
  readonly positives: { readonly items: Int32Array; readonly weights: Float32Array };
  readonly train: Int32Array;
  readonly heldOut: number;
}

/**
 * Leave-one-out accuracy of any scorer under the runners' one protocol: the
 * same split, training items excluded, the same negatives for the same seed,
 * both the sampled and the full-catalogue metrics.
 */
export function evaluateScorer(numItems: number, options: EvaluationOptions, scoreAll: (shopper: EvaluationShopper) => Float32Array): LeaveOneOutReport {
  const users = options.shoppers.flatMap((index): EvaluationShopper[] => {
    const split = leaveOneOut(options.population.shopper(index).events);
    if (!split) return [];
    const positives = positiveItems(split.train, options.eventWeights);
    return [{ index, events: split.train, positives, train: positives.items, heldOut: split.heldOut }];
  });
  // The sampled protocol ranks against 99 negatives; a catalogue too small
  // for that (a toy run) uses as many as every shopper has, and the report's
  // `negatives` says how many.
  const available = users.reduce((least, u) => Math.min(least, numItems - u.train.length - 1), Infinity);
  return evaluateLeaveOneOut({
    numItems,
    users,
    negatives: Math.max(1, Math.min(SAMPLED_NEGATIVES, available)),
    scoreAll,
    seed: `${options.seed}/negatives`,
    diversity: options.population.itemCategories ? { kind: 'categories', categories: options.population.itemCategories } : undefined,
  });
}

/**
 * Leave-one-out accuracy of a shared model, measured as a device would use
 * it: each shopper fits their own vector on their training history with the
 * shared model frozen, then ranks the held-out item.
 */
export function evaluateModel(model: SharedModel, options: EvaluationOptions): LeaveOneOutReport {
  return evaluateScorer(model.shape.numItems, options, (user) => {
    const userVector = fitUserVector({ model, positives: user.positives, random: createSeededRandomSource(`${options.seed}/eval/${user.index}`), config: options.localTraining });
    return scoreAllItems(model.shape, model.values, userVector);
  });
}
