import { evaluateLeaveOneOut, positiveItems } from '@fedrec/core';
import type { SharedModel, LeaveOneOutReport } from '@fedrec/core';
import { buildItemTable, combinedScores } from '@fedrec/core/hybrid';
import type { CombinedScoring, FeatureMap } from '@fedrec/core/hybrid';
import { leaveOneOut } from '../population/leave-one-out.js';
import type { EvaluationOptions } from './evaluate-model.js';
import { SAMPLED_NEGATIVES } from './evaluate-model.js';

/** How the hybrid model's items and final scores are built. */
export interface HybridScoringSettings extends Omit<CombinedScoring, 'eventWeights'> {
  readonly features: FeatureMap;
}

/**
 * Leave-one-out accuracy of a hybrid model as a device uses it: the item
 * table built once from the model, then each shopper's final scores from
 * their training history (`combinedScores`), nothing fitted per shopper.
 * Same split, negatives and seed convention as `evaluateModel`.
 */
export function evaluateHybridModel(model: SharedModel, options: EvaluationOptions, scoring: HybridScoringSettings): LeaveOneOutReport {
  const table = buildItemTable(scoring.features, model);
  const { numItems } = scoring.features;
  const users = options.shoppers.flatMap((index) => {
    const split = leaveOneOut(options.population.shopper(index).events);
    if (!split) return [];
    return [{ index, events: split.train, train: positiveItems(split.train, options.eventWeights).items, heldOut: split.heldOut }];
  });
  const available = users.reduce((least, u) => Math.min(least, numItems - u.train.length - 1), Infinity);
  const combined: CombinedScoring = options.eventWeights === undefined ? scoring : { ...scoring, eventWeights: options.eventWeights };
  return evaluateLeaveOneOut({
    numItems,
    users,
    negatives: Math.max(1, Math.min(SAMPLED_NEGATIVES, available)),
    scoreAll: (user) => combinedScores(table, user.events, combined),
    seed: `${options.seed}/negatives`,
    diversity: options.population.itemCategories ? { kind: 'categories', categories: options.population.itemCategories } : undefined,
  });
}
