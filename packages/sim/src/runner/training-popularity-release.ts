import { releasePrivatePopularity } from '@fedrec/core/privacy';
import type { PrivatePopularity } from '@fedrec/core/privacy';
import { createSeededRandomSource, deriveSeed } from '@fedrec/core/random';
import { positiveItems } from '@fedrec/core/model';
import type { EventWeights } from '@fedrec/core';
import { leaveOneOut } from '../population/leave-one-out.js';
import type { Population } from '../population/population.js';

export interface TrainingPopularityOptions {
  /** k: each shopper counts at most this many distinct items, the most recent first. */
  readonly maxItemsPerShopper: number;
  readonly noiseMultiplier: number;
  readonly seed: string | number;
  readonly eventWeights?: EventWeights;
}

/**
 * The private popularity release as a deployment makes it: every shopper
 * contributes their k most recent training items (held-out items never
 * count), counts noised once with the Gaussian mechanism. The noise has a
 * seeded stream of its own, shared with nothing else in the run. The caller
 * records `mechanism` in the run's ledger.
 */
export function releaseTrainingPopularity(population: Population, options: TrainingPopularityOptions): PrivatePopularity {
  const recentFirst = function* (): Generator<Int32Array> {
    for (let shopper = 0; shopper < population.numShoppers; shopper++) {
      const split = leaveOneOut(population.shopper(shopper).events);
      if (!split) continue;
      const positive = new Set(positiveItems(split.train, options.eventWeights).items);
      // Most recent first: a shopper's recent items say most about what they will look at next.
      const order: number[] = [];
      for (let i = split.train.length - 1; i >= 0; i--) {
        const item = split.train[i]!.item;
        if (positive.delete(item)) order.push(item);
      }
      yield Int32Array.from(order);
    }
  };
  return releasePrivatePopularity(recentFirst(), {
    numItems: population.numItems,
    maxItemsPerShopper: options.maxItemsPerShopper,
    noiseMultiplier: options.noiseMultiplier,
    noise: createSeededRandomSource(deriveSeed(options.seed, 'popularity-noise')),
  });
}
