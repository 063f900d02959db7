import type { SharedModel } from '../model/shared-parameters.js';
import { biasesView, embeddingsView, parameterCount } from '../model/shared-parameters.js';
import type { Catalogue } from './catalogue.js';

/**
 * The model with a row for each product `catalogue` appends after the
 * model's rows (cold start, no privacy cost: the catalogue is public and the
 * rows it averages are the released model's):
 *
 * - a new product that shares attributes with products the model already
 *   has starts at their mean, each weighted by the number of attributes it
 *   shares (a same-brand lipstick is nearer a lipstick of that brand than a
 *   mascara of it), embedding and bias alike;
 * - one that shares none (or has no attributes) starts at the mean of all rows.
 *
 * The rows already there are copied unchanged, so a product keeps its vector.
 * The version is the model's: the caller gives the grown model a new one.
 * Call `checkCatalogueGrowth` first: this trusts that the catalogue's first
 * items are the model's rows.
 *
 * @example
 * const grown = growModel(model, catalogue); // catalogue.itemIds.length rows
 */
export function growModel(model: SharedModel, catalogue: Catalogue): SharedModel {
  const rows = model.shape.numItems;
  const { dim } = model.shape;
  const items = catalogue.itemIds.length;
  if (items < rows) throw new RangeError(`expected a catalogue of at least the model's ${rows} rows, got ${items}`);
  const shape = { numItems: items, dim };
  const values = new Float32Array(parameterCount(shape));
  const oldEmbeddings = embeddingsView(model.shape, model.values);
  const oldBiases = biasesView(model.shape, model.values);
  const embeddings = embeddingsView(shape, values);
  const biases = biasesView(shape, values);
  embeddings.set(oldEmbeddings);
  biases.set(oldBiases);
  if (items === rows) return { shape, version: model.version, values };

  const mean = new Float64Array(dim + 1);
  for (let row = 0; row < rows; row++) {
    for (let d = 0; d < dim; d++) mean[d]! += oldEmbeddings[row * dim + d]!;
    mean[dim]! += oldBiases[row]!;
  }
  for (let d = 0; d <= dim; d++) mean[d]! /= rows;

  // The existing rows holding each attribute: a new product only visits the rows it shares something with.
  const { attributeOffsets: offsets, attributeIndices: indices } = catalogue;
  const holders = new Map<number, number[]>();
  for (let row = 0; row < rows; row++) {
    for (let k = offsets[row]!; k < offsets[row + 1]!; k++) {
      let list = holders.get(indices[k]!);
      if (list === undefined) holders.set(indices[k]!, (list = []));
      list.push(row);
    }
  }
  const sum = new Float64Array(dim + 1);
  for (let item = rows; item < items; item++) {
    const shared = new Map<number, number>();
    for (let k = offsets[item]!; k < offsets[item + 1]!; k++) {
      for (const row of holders.get(indices[k]!) ?? []) shared.set(row, (shared.get(row) ?? 0) + 1);
    }
    let source: Float64Array = mean;
    if (shared.size > 0) {
      sum.fill(0);
      let weight = 0;
      for (const [row, count] of shared) {
        for (let d = 0; d < dim; d++) sum[d]! += count * oldEmbeddings[row * dim + d]!;
        sum[dim]! += count * oldBiases[row]!;
        weight += count;
      }
      for (let d = 0; d <= dim; d++) sum[d]! /= weight;
      source = sum;
    }
    for (let d = 0; d < dim; d++) embeddings[item * dim + d] = source[d]!;
    biases[item] = source[dim]!;
  }
  return { shape, version: model.version, values };
}
