import { historyScores } from '../catalogue/history-scores.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import type { EventWeights, ShoppingEvent } from '../model/shopping-event.js';
import { hybridScores } from './hybrid-scores.js';
import type { ItemTable } from './item-table.js';
import { shopperSequence } from './shopper-context.js';
import type { ContextOptions } from './shopper-context.js';

/** What the device combines with the hybrid model's scores. */
export interface CombinedScoring {
  readonly catalogue: Catalogue;
  /** `attributeIdf(catalogue)`, computed once. */
  readonly idf: Float32Array;
  /** The fixed per-item prior the model was trained with (released popularity), if any. */
  readonly prior?: Float32Array;
  /** Weight of the zero-ε history scorer against the model. */
  readonly historyWeight: number;
  readonly eventWeights?: EventWeights;
  readonly context?: ContextOptions;
}

/**
 * The device's final score of every item: the hybrid model (u·v_i + b_i),
 * the prior it was trained on top of, and the on-device history scorer
 * (`historyScores`, no popularity of its own: the prior carries it). The
 * model learns across shoppers under DP; the history scorer knows this
 * shopper exactly and costs no privacy.
 */
export function combinedScores(table: ItemTable, events: readonly ShoppingEvent[], scoring: CombinedScoring): Float32Array {
  const scores = hybridScores(table, shopperSequence(events, scoring.eventWeights), scoring.context);
  const { prior, historyWeight } = scoring;
  if (prior !== undefined) for (let i = 0; i < scores.length; i++) scores[i]! += prior[i]!;
  if (historyWeight !== 0) {
    const history = historyScores(events, scoring.catalogue, scoring.idf, scoring.eventWeights === undefined ? {} : { eventWeights: scoring.eventWeights });
    for (let i = 0; i < scores.length; i++) scores[i]! += historyWeight * history[i]!;
  }
  return scores;
}
