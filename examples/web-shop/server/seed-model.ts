import type { SharedModel } from '@fedrec/core';
import { createSeededRandomSource, parameterCount } from '@fedrec/core';
import type { Catalogue } from '../catalogue.js';

/**
 * The model the demo starts from, built from catalogue metadata alone (no
 * shopper's data): items of a category point the same way, and a fixed,
 * made-up popularity sets the biases. A real shop would start the same way,
 * or from a model trained on data it may use. Federated rounds then move it.
 */
export function catalogueSeedModel(catalogue: Catalogue, dim: number, seed = 'web-shop'): SharedModel {
  const numItems = catalogue.products.length;
  if (dim < catalogue.categories.length) throw new RangeError(`expected dim >= ${catalogue.categories.length} (one direction per category), got ${dim}`);
  const random = createSeededRandomSource(seed);
  const values = new Float32Array(parameterCount({ numItems, dim }));
  for (const product of catalogue.products) {
    for (let d = 0; d < dim; d++) {
      const base = d === product.category ? 0.6 : 0;
      values[product.index * dim + d] = base + (random.nextFloat() - 0.5) * 0.2;
    }
    values[numItems * dim + product.index] = 0.5 * random.nextFloat();
  }
  return { shape: { numItems, dim }, version: 0, values };
}
