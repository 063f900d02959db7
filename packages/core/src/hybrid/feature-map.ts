import type { Catalogue } from '../catalogue/catalogue.js';

/**
 * How the hybrid model builds an item from rows of the shared table (as
 * LightFM does, Kula 2015): item i's vector is Σ_f ω_if · E_f and its bias
 * Σ_f ω_if · β_f over its features f. The features are the catalogue's
 * attributes (one row each, fed by every item that has it: far more signal per
 * unit of DP noise than a row per item) and, for the items given an identity
 * row, that row (a residual for what the attributes do not say).
 *
 * Rows: [attribute 0 … attribute A−1 | identity row of each chosen item].
 * The map is public (derived from the public catalogue and, for identity rows,
 * from released counts), so every device and the server build the same one.
 */
export interface FeatureMap {
  readonly numItems: number;
  /** Rows of the shared table: the model's `ParameterShape.numItems`. */
  readonly numFeatures: number;
  /** Item i's features are `indices[offsets[i] .. offsets[i+1]−1]`, weighted by `weights` alike. */
  readonly offsets: Uint32Array;
  readonly indices: Uint32Array;
  readonly weights: Float32Array;
}

export interface FeatureMapOptions {
  /** Items that get an identity row of their own, in row order (e.g. the head of a private popularity release). Default none. */
  readonly identityItems?: ArrayLike<number>;
}

/**
 * The feature map of a catalogue. Each item's weights are 1/√(its feature
 * count), so an item with ten attributes does not get a vector ten times as
 * long as one with a single attribute. An item with no attribute and no
 * identity row has no features: a zero vector and bias (it ranks by nothing
 * the model learned, like an item nobody has seen).
 */
export function buildFeatureMap(catalogue: Catalogue, options: FeatureMapOptions = {}): FeatureMap {
  const numItems = catalogue.itemIds.length;
  const attributes = catalogue.attributes.length;
  const identityRow = new Int32Array(numItems).fill(-1);
  const identity = options.identityItems ?? [];
  for (let k = 0; k < identity.length; k++) {
    const item = identity[k]!;
    if (!Number.isInteger(item) || item < 0 || item >= numItems) throw new RangeError(`expected identity items in [0, ${numItems}), got ${item}`);
    if (identityRow[item] !== -1) throw new RangeError(`item ${item} is given an identity row twice`);
    identityRow[item] = attributes + k;
  }
  const { attributeOffsets, attributeIndices } = catalogue;
  const offsets = new Uint32Array(numItems + 1);
  const indices = new Uint32Array(attributeIndices.length + identity.length);
  const weights = new Float32Array(indices.length);
  let at = 0;
  for (let item = 0; item < numItems; item++) {
    const start = at;
    for (let k = attributeOffsets[item]!; k < attributeOffsets[item + 1]!; k++) indices[at++] = attributeIndices[k]!;
    if (identityRow[item]! >= 0) indices[at++] = identityRow[item]!;
    const weight = at > start ? 1 / Math.sqrt(at - start) : 0;
    weights.fill(weight, start, at);
    offsets[item + 1] = at;
  }
  return { numItems, numFeatures: attributes + identity.length, offsets, indices, weights };
}
