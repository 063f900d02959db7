import { attributeIdf, historyScores } from '@fedrec/core/catalogue';
import type { Catalogue, HistoryScoringOptions } from '@fedrec/core/catalogue';
import { deriveSeed, evaluateLeaveOneOut, positiveItems } from '@fedrec/core';
import type { LeaveOneOutReport } from '@fedrec/core';
import type { Population } from '../population/population.js';
import { leaveOneOut } from '../population/leave-one-out.js';
import type { PopularityBaselineOptions } from './popularity-baseline.js';

export interface OnDeviceBaselineOptions extends PopularityBaselineOptions {
  /** The catalogue, aligned to the population's items (`loadCatalogueFor`, `syntheticCatalogue`). */
  readonly catalogue: Catalogue;
  /** The popularity prior; without it the history alone ranks. */
  readonly popularity?: Float32Array;
  readonly scoring?: Omit<HistoryScoringOptions, 'popularity' | 'eventWeights'>;
}

/**
 * The on-device recommender under the federated runner's evaluation (same
 * split, training items excluded, same negatives for the same seed): each
 * shopper's own training history against the public catalogue, plus the
 * popularity prior it is given. Nothing leaves the device, so its ε is that of
 * the prior alone (0 with none; exact counts are a non-private reference).
 */
export function onDeviceBaseline(population: Population, options: OnDeviceBaselineOptions): LeaveOneOutReport {
  const { catalogue } = options;
  if (catalogue.itemIds.length !== population.numItems) {
    throw new RangeError(`expected a catalogue aligned to the population's ${population.numItems} items, got ${catalogue.itemIds.length}`);
  }
  const idf = attributeIdf(catalogue);
  const users = options.evalShoppers.flatMap((index) => {
    const split = leaveOneOut(population.shopper(index).events);
    if (!split) return [];
    return [{ train: positiveItems(split.train, options.eventWeights).items, heldOut: split.heldOut, events: split.train }];
  });
  const scoring: HistoryScoringOptions = {
    ...options.scoring,
    ...(options.eventWeights === undefined ? {} : { eventWeights: options.eventWeights }),
    ...(options.popularity === undefined ? {} : { popularity: options.popularity }),
  };
  return evaluateLeaveOneOut<(typeof users)[number]>({
    numItems: population.numItems,
    users,
    scoreAll: (user) => historyScores(user.events, catalogue, idf, scoring),
    seed: `${deriveSeed(options.seed, 'eval')}/negatives`,
    diversity: population.itemCategories ? { kind: 'categories', categories: population.itemCategories } : undefined,
  });
}
