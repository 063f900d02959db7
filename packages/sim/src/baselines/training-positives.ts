import { positiveItems } from '@fedrec/core';
import type { EventWeights } from '@fedrec/core';
import type { Population } from '../population/population.js';
import { leaveOneOut } from '../population/leave-one-out.js';

/** One shopper's positives, from the training side of their leave-one-out split. */
export interface TrainingPositives {
  readonly items: Int32Array;
  readonly weights: Float32Array;
}

/**
 * Every shopper's training positives, as the federated runner computes
 * them: the held-out item (`leaveOneOut`) and all its events removed, then
 * `positiveItems` with the run's event weights. Shoppers with fewer than two
 * distinct items have no split and get no positives, as in the runner
 * (there they send a zero update). Held-out items of every shopper, not only
 * of the evaluated ones, are left out, so no baseline ever trains on an
 * answer.
 */
export function trainingPositives(population: Population, eventWeights?: EventWeights): TrainingPositives[] {
  const empty: TrainingPositives = { items: new Int32Array(0), weights: new Float32Array(0) };
  const out = new Array<TrainingPositives>(population.numShoppers);
  for (let s = 0; s < population.numShoppers; s++) {
    const split = leaveOneOut(population.shopper(s).events);
    out[s] = split ? positiveItems(split.train, eventWeights) : empty;
  }
  return out;
}
