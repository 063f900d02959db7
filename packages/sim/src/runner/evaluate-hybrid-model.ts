import type { SharedModel, LeaveOneOutReport } from '@fedrec/core';
import { buildItemTable, combinedScores } from '@fedrec/core/hybrid';
import type { CombinedScoring, FeatureMap } from '@fedrec/core/hybrid';
import type { EvaluationOptions } from './evaluate-model.js';
import { evaluateScorer } from './evaluate-model.js';

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
  const combined: CombinedScoring = options.eventWeights === undefined ? scoring : { ...scoring, eventWeights: options.eventWeights };
  return evaluateScorer(scoring.features.numItems, options, (user) => combinedScores(table, user.events, combined));
}
