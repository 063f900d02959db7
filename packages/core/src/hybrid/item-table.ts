import type { SharedModel } from '../model/shared-parameters.js';
import type { FeatureMap } from './feature-map.js';

/** Every item's vector and bias, built from a hybrid model's feature rows. */
export interface ItemTable {
  readonly numItems: number;
  readonly dim: number;
  /** Row-major, numItems × dim. */
  readonly vectors: Float32Array;
  readonly biases: Float32Array;
}

/**
 * v_i = Σ_f ω_if E_f and b_i = Σ_f ω_if β_f for every item: done once per
 * model a device receives, so that scoring is one dot product per item.
 */
export function buildItemTable(features: FeatureMap, model: SharedModel): ItemTable {
  const { numFeatures, numItems, offsets, indices, weights } = features;
  const { dim } = model.shape;
  if (model.shape.numItems !== numFeatures) throw new RangeError(`expected a model with one row per feature (${numFeatures}), got ${model.shape.numItems} rows`);
  const values = model.values;
  const biasStart = numFeatures * dim;
  const vectors = new Float32Array(numItems * dim);
  const biases = new Float32Array(numItems);
  for (let item = 0; item < numItems; item++) {
    const out = item * dim;
    let bias = 0;
    for (let k = offsets[item]!; k < offsets[item + 1]!; k++) {
      const f = indices[k]!;
      const w = weights[k]!;
      const row = f * dim;
      for (let j = 0; j < dim; j++) vectors[out + j]! += w * values[row + j]!;
      bias += w * values[biasStart + f]!;
    }
    biases[item] = bias;
  }
  return { numItems, dim, vectors, biases };
}
