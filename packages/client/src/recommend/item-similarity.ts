import type { ItemFeatures } from '@fedrec/core';

/** How alike two items are, by catalogue index: 1 for the same thing, lower for less alike. */
export type ItemSimilarity = (a: number, b: number) => number;

/**
 * Similarity over the features diversity is measured with (core's
 * `intraListDiversity` uses the same two notions): cosine of item embeddings
 * in [−1, 1], or 1 for the same category and 0 otherwise. A zero embedding
 * has no direction: its cosine with anything is taken as 0, not NaN.
 * Embedding norms are computed lazily, once per item, since re-ranking only
 * looks at a shortlist.
 */
export function itemSimilarity(features: ItemFeatures): ItemSimilarity {
  if (features.kind === 'categories') {
    const { categories } = features;
    return (a, b) => (categories[a] === categories[b] ? 1 : 0);
  }
  const { embeddings, dim } = features;
  const norms = new Map<number, number>();
  const norm = (item: number): number => {
    let n = norms.get(item);
    if (n === undefined) {
      let sum = 0;
      for (let d = item * dim; d < item * dim + dim; d++) sum += (embeddings[d] as number) ** 2;
      n = Math.sqrt(sum);
      norms.set(item, n);
    }
    return n;
  };
  return (a, b) => {
    const denominator = norm(a) * norm(b);
    if (!(denominator > 0)) return 0;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += (embeddings[a * dim + d] as number) * (embeddings[b * dim + d] as number);
    return Math.min(1, Math.max(-1, dot / denominator));
  };
}
