import type { Population } from '../population/population.js';

export interface DatasetSummary {
  readonly shoppers: number;
  readonly items: number;
  /** Every event (views, carts and purchases of the same item each count). */
  readonly events: number;
  /** Distinct (shopper, item) pairs: what a recommender sees as interactions. */
  readonly interactions: number;
  /** interactions / (shoppers × items): the fraction of the matrix that is filled. */
  readonly density: number;
}

/**
 * Size and density of a population, as reported for recommender datasets
 * (MovieLens 100K: 943 shoppers, 1682 items, 100000 interactions, density
 * 6.3%). Density counts distinct pairs, not events, so a view–cart–purchase
 * funnel on one item fills one cell, not three. Visits every shopper once.
 *
 * @example
 * const { shoppers, items, density } = datasetSummary(await loadDataset(spec));
 */
export function datasetSummary(population: Population): DatasetSummary {
  const { numShoppers, numItems } = population;
  // lastSeenBy[item] = 1 + the last shopper who touched it: distinct pairs in one pass, no per-shopper sets.
  const lastSeenBy = new Int32Array(numItems);
  let events = 0;
  let interactions = 0;
  for (let s = 0; s < numShoppers; s++) {
    for (const e of population.shopper(s).events) {
      events++;
      if (lastSeenBy[e.item] !== s + 1) {
        lastSeenBy[e.item] = s + 1;
        interactions++;
      }
    }
  }
  return { shoppers: numShoppers, items: numItems, events, interactions, density: numShoppers * numItems > 0 ? interactions / (numShoppers * numItems) : 0 };
}
