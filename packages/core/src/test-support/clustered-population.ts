import type { ShoppingEvent } from '../model/shopping-event.js';
import type { RandomSource } from '../random/random-source.js';
import { nextInt } from '../random/random-source.js';

export interface TestShopper {
  readonly events: ShoppingEvent[];
  /** All but the latest event's item. */
  readonly train: Int32Array;
  readonly heldOut: number;
}

/**
 * A tiny population with planted structure for unit tests: items fall into
 * `clusters` equal groups and each shopper buys mostly from one group, so a
 * working recommender must learn the groups to rank held-out items well.
 */
export function clusteredPopulation(args: {
  shoppers: number;
  numItems: number;
  clusters: number;
  eventsPerShopper: number;
  random: RandomSource;
}): TestShopper[] {
  const { shoppers, numItems, clusters, eventsPerShopper, random } = args;
  const perCluster = Math.floor(numItems / clusters);
  const out: TestShopper[] = [];
  for (let s = 0; s < shoppers; s++) {
    const cluster = nextInt(random, clusters);
    const seen = new Set<number>();
    const events: ShoppingEvent[] = [];
    while (events.length < eventsPerShopper) {
      const inCluster = random.nextFloat() < 0.9;
      const item = inCluster ? cluster * perCluster + nextInt(random, perCluster) : nextInt(random, numItems);
      if (seen.has(item)) continue;
      seen.add(item);
      events.push({ item, type: random.nextFloat() < 0.2 ? 'purchase' : 'view', time: events.length });
    }
    out.push({ events, train: Int32Array.from(events.slice(0, -1), (e) => e.item), heldOut: events[events.length - 1]!.item });
  }
  return out;
}
