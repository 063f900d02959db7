import type { ItemSimilarity } from './item-similarity.js';

/**
 * Re-ranks a shortlist with maximal marginal relevance (Carbonell &
 * Goldstein, 1998), so that a shopper is not shown only more of the same:
 * each next item maximises
 *
 *   (1 − diversity) · relevance(i) − diversity · max_{j already chosen} similarity(i, j)
 *
 * Relevance is min–max normalised over the shortlist first, so the trade-off
 * means the same whatever the scale of the model's scores. `diversity = 0`
 * returns the shortlist's own order (pure relevance); `diversity = 1` ignores
 * relevance after the first (always the most relevant) pick.
 *
 * @param candidates the shortlist, most relevant first; ties in the MMR
 *   objective go to the earlier candidate, so the result is deterministic.
 * @param relevance score of each item, indexed by item.
 */
export function rerankByMmr(
  candidates: ArrayLike<number>,
  relevance: ArrayLike<number>,
  k: number,
  diversity: number,
  similarity: ItemSimilarity,
): number[] {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`expected k to be a non-negative integer, got ${k}`);
  if (typeof diversity !== 'number' || !(diversity >= 0 && diversity <= 1)) {
    throw new RangeError(`expected diversity in [0, 1], got ${String(diversity)}`);
  }
  const n = candidates.length;
  const size = Math.min(k, n);
  if (diversity === 0) return Array.from({ length: size }, (_, i) => candidates[i] as number);

  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = relevance[candidates[i] as number] as number;
    if (r < low) low = r;
    if (r > high) high = r;
  }
  const span = high - low;
  const normalised = Float64Array.from({ length: n }, (_, i) => (span > 0 ? ((relevance[candidates[i] as number] as number) - low) / span : 0));

  // Largest similarity of each candidate to anything chosen so far, updated after each pick: O(k · n) similarities.
  const maxSimilarity = new Float64Array(n).fill(-Infinity);
  const chosen = new Uint8Array(n);
  const result: number[] = [];
  for (let step = 0; step < size; step++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      if (chosen[i]) continue;
      const penalty = step === 0 ? 0 : (maxSimilarity[i] as number);
      const value = (1 - diversity) * (normalised[i] as number) - diversity * penalty;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    chosen[best] = 1;
    const item = candidates[best] as number;
    result.push(item);
    for (let i = 0; i < n; i++) {
      if (chosen[i]) continue;
      const s = similarity(candidates[i] as number, item);
      if (s > (maxSimilarity[i] as number)) maxSimilarity[i] = s;
    }
  }
  return result;
}
