import type { ItemTable } from './item-table.js';
import { contextWeights } from './shopper-context.js';
import type { ContextOptions, ShopperSequence } from './shopper-context.js';

/**
 * The shopper's vector under the hybrid model: the recency-weighted mean of
 * their history's item vectors. Computed on the device from the history it
 * holds; nothing about it is sent or kept between sessions.
 */
export function pooledShopperVector(table: ItemTable, sequence: ShopperSequence, options: ContextOptions = {}): Float32Array {
  const { dim } = table;
  const u = new Float32Array(dim);
  const end = sequence.items.length;
  const weights = new Float32Array(Math.min(end, options.maxContext ?? 20));
  const first = contextWeights(sequence, end, options, weights);
  for (let h = first; h < end; h++) {
    const w = weights[h - first]!;
    const row = sequence.items[h]! * dim;
    for (let j = 0; j < dim; j++) u[j]! += w * table.vectors[row + j]!;
  }
  return u;
}

/** s_i = u·v_i + b_i for every item. */
export function hybridScores(table: ItemTable, sequence: ShopperSequence, options: ContextOptions = {}, out?: Float32Array): Float32Array {
  const { dim, numItems, vectors, biases } = table;
  const u = pooledShopperVector(table, sequence, options);
  const scores = out ?? new Float32Array(numItems);
  for (let i = 0; i < numItems; i++) {
    let s = biases[i]!;
    const row = i * dim;
    for (let j = 0; j < dim; j++) s += u[j]! * vectors[row + j]!;
    scores[i] = s;
  }
  return scores;
}
