/**
 * Per-user leave-one-out scores from the 0-based rank of the held-out item
 * (0 = ranked first). Averaging them over users gives HR@K and NDCG@K.
 */

function assertRankAndK(rank: number, k: number): void {
  if (!Number.isInteger(rank) || rank < 0) {
    throw new RangeError(`rank must be a non-negative integer, got ${rank}`);
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`k must be a positive integer, got ${k}`);
  }
}

/** HR@K: 1 if the held-out item made the top K, else 0. */
export function hitRate(rank: number, k: number): number {
  assertRankAndK(rank, k);
  return rank < k ? 1 : 0;
}

/**
 * NDCG@K with a single relevant item: the ideal DCG is 1 (item at rank 0), so
 * NDCG is just the discount at the item's position, 1 / log2(rank + 2).
 */
export function ndcg(rank: number, k: number): number {
  assertRankAndK(rank, k);
  return rank < k ? 1 / Math.log2(rank + 2) : 0;
}
