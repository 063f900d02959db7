import type { ShoppingEvent } from '@fedrec/core';
import type { PopulationSpec } from './population-spec.js';

/** One simulated shopper's history, oldest event first: generated (synthetic populations) or replayed (recorded datasets). */
export interface VirtualShopper {
  readonly index: number;
  readonly events: readonly ShoppingEvent[];
}

/**
 * A population the simulator can draw shoppers from by index. Synthetic
 * populations generate each history on demand from a per-shopper seed, so
 * memory does not grow with the number of shoppers.
 */
export interface Population {
  readonly name: string;
  readonly numShoppers: number;
  readonly numItems: number;
  /** Category of each item, where the source has them (used for diversity). */
  readonly itemCategories?: Int32Array;
  shopper(index: number): VirtualShopper;
  /** How to rebuild this population elsewhere (worker threads), where possible. */
  readonly spec?: PopulationSpec;
}
