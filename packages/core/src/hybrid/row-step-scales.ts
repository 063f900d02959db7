import type { FeatureMap } from './feature-map.js';

/**
 * The server's step multiplier for each feature row: 1 / max(touch rate, floor).
 *
 * FedAvg moves a row by the cohort's mean delta, which is (the share of the
 * cohort whose history touches the row) × (their mean delta): an item row
 * touched by one shopper in a thousand would move a thousand times slower
 * than a category row. Dividing by the row's touch rate moves every row by
 * about the mean delta of the shoppers who touched it. The rate is estimated
 * from released item counts (post-processing of a release already accounted:
 * no privacy cost); `floor` bounds how much the DP noise of rarely touched
 * rows is amplified.
 */
export function rowStepScales(features: FeatureMap, itemCounts: ArrayLike<number>, shoppers: number, floor: number): Float32Array {
  if (itemCounts.length !== features.numItems) throw new RangeError(`expected ${features.numItems} item counts, got ${itemCounts.length}`);
  if (!(shoppers >= 1)) throw new RangeError(`expected shoppers >= 1, got ${shoppers}`);
  if (!(floor > 0 && floor <= 1)) throw new RangeError(`expected a floor in (0, 1], got ${floor}`);
  const touches = new Float64Array(features.numFeatures);
  const { offsets, indices } = features;
  for (let item = 0; item < features.numItems; item++) {
    const count = Math.max(0, itemCounts[item]!);
    for (let k = offsets[item]!; k < offsets[item + 1]!; k++) touches[indices[k]!]! += count;
  }
  return Float32Array.from(touches, (t) => 1 / Math.max(Math.min(1, t / shoppers), floor));
}
