import { deriveSeed, evaluateLeaveOneOut, positiveItems } from '@fedrec/core';
import type { EventWeights, LeaveOneOutReport } from '@fedrec/core';
import type { Population } from '../population/population.js';
import { leaveOneOut } from '../population/leave-one-out.js';
import { trainingPositives } from './training-positives.js';

export interface PopularityBaselineOptions {
  /** Shopper indices to evaluate (e.g. `evaluationSample(…)`, to match a federated run). */
  readonly evalShoppers: readonly number[];
  /** The run seed: the same seed gives the same sampled negatives as `runFederatedSimulation`. */
  readonly seed: string | number;
  /** As in the federated run: events weighted 0 are not interactions. */
  readonly eventWeights?: EventWeights;
}

/**
 * How many shoppers have each item among their training positives (see
 * `trainingPositives`): each shopper counts an item once however many
 * events they had on it, held-out items are never counted. The scores of the
 * popularity baseline, and a ranking of the catalogue in its own right.
 *
 * @example
 * const counts = itemPopularity(population);
 * const top10 = topK(counts, 10);
 */
export function itemPopularity(population: Population, eventWeights?: EventWeights): Float32Array {
  const counts = new Float32Array(population.numItems);
  for (const { items } of trainingPositives(population, eventWeights)) {
    for (let i = 0; i < items.length; i++) counts[items[i]!]!++;
  }
  return counts;
}

/**
 * The most-popular baseline: every shopper gets the same scores, the
 * training popularity of each item (`itemPopularity`), ranked under the
 * federated runner's evaluation: the same leave-one-out split, the same
 * training items excluded, the same sampled negatives for the same seed,
 * the same metrics. A model that does not beat it has learned nothing
 * personal.
 *
 * @example
 * const report = popularityBaseline(population, { evalShoppers: evaluationSample(population.numShoppers, 500, 7), seed: 7 });
 * console.log(report.hr, report.ndcg);
 */
export function popularityBaseline(population: Population, options: PopularityBaselineOptions): LeaveOneOutReport {
  const scores = itemPopularity(population, options.eventWeights);
  return evaluateFixedScores(population, scores, options);
}

/**
 * `evaluateModel`'s protocol for scores that are the same for every shopper
 * (no vector to fit): users built the same way, and the negatives seeded as
 * `evaluateModel` seeds them when called by `runFederatedSimulation`
 * (`<seed>/eval/negatives`). A test checks the two agree exactly. Also
 * ranks the private popularity release (`runPrivatePopularitySimulation`).
 */
export function evaluateFixedScores(population: Population, scores: Float32Array, options: PopularityBaselineOptions): LeaveOneOutReport {
  const users = options.evalShoppers.flatMap((index) => {
    const split = leaveOneOut(population.shopper(index).events);
    if (!split) return [];
    return [{ train: positiveItems(split.train, options.eventWeights).items, heldOut: split.heldOut }];
  });
  return evaluateLeaveOneOut({
    numItems: population.numItems,
    users,
    scoreAll: () => scores,
    seed: `${deriveSeed(options.seed, 'eval')}/negatives`,
    diversity: population.itemCategories ? { kind: 'categories', categories: population.itemCategories } : undefined,
  });
}
