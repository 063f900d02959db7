/**
 * What "different" means between two items when measuring a list's diversity:
 * distance in the model's own embedding space, or a categorical label (e.g.
 * product category) that does not depend on the model being evaluated.
 */
export type ItemFeatures =
  | {
      readonly kind: 'embeddings';
      /** numItems × dim, row-major (e.g. `embeddingsView` of the shared model). */
      readonly embeddings: Float32Array;
      readonly dim: number;
    }
  | {
      readonly kind: 'categories';
      /** One category id per item. */
      readonly categories: Int32Array;
    };

function itemCount(features: ItemFeatures): number {
  if (features.kind === 'categories') return features.categories.length;
  if (!Number.isInteger(features.dim) || features.dim < 1 || features.embeddings.length % features.dim !== 0) {
    throw new RangeError(`embeddings of length ${features.embeddings.length} do not divide into rows of dim ${features.dim}`);
  }
  return features.embeddings.length / features.dim;
}

/**
 * Mean over all unordered pairs of the list of their distance: 1 − cosine
 * similarity for embeddings (in [0, 2]), or 1 if the categories differ else 0.
 * A zero embedding has no direction, so its cosine with anything is taken as
 * 0 (distance 1) rather than NaN.
 *
 * Returns null for lists with fewer than two items: there is no pair, and 0
 * would wrongly read as "no diversity".
 */
export function intraListDiversity(list: ArrayLike<number>, features: ItemFeatures): number | null {
  const numItems = itemCount(features);
  const n = list.length;
  for (let i = 0; i < n; i++) {
    const item = list[i] as number;
    if (!Number.isInteger(item) || item < 0 || item >= numItems) {
      throw new RangeError(`item must be an integer in [0, ${numItems}), got ${item}`);
    }
  }
  if (n < 2) return null;

  let total = 0;
  if (features.kind === 'categories') {
    const { categories } = features;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (categories[list[i] as number] !== categories[list[j] as number]) total += 1;
      }
    }
  } else {
    const { embeddings, dim } = features;
    const norms = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const base = (list[i] as number) * dim;
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += (embeddings[base + d] as number) ** 2;
      norms[i] = Math.sqrt(sum);
    }
    for (let i = 0; i < n; i++) {
      const a = (list[i] as number) * dim;
      for (let j = i + 1; j < n; j++) {
        const b = (list[j] as number) * dim;
        const denominator = (norms[i] as number) * (norms[j] as number);
        let cosine = 0;
        if (denominator > 0) {
          let dot = 0;
          for (let d = 0; d < dim; d++) dot += (embeddings[a + d] as number) * (embeddings[b + d] as number);
          // Clamped: rounding can push identical directions a hair past ±1.
          cosine = Math.min(1, Math.max(-1, dot / denominator));
        }
        total += 1 - cosine;
      }
    }
  }
  return total / ((n * (n - 1)) / 2);
}
