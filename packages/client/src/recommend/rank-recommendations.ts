import type { ItemFeatures, ItemMask } from '@fedrec/core';
import { topK } from '@fedrec/core';
import { itemSimilarity } from './item-similarity.js';
import { rerankByMmr } from './maximal-marginal-relevance.js';

export interface RankInput {
  /** One score per catalogue item (relevance for this shopper, or popularity). */
  readonly scores: ArrayLike<number>;
  readonly k: number;
  /** In [0, 1]: 0 is pure relevance order. */
  readonly diversity: number;
  /** What "similar" means for the re-ranking. */
  readonly features: ItemFeatures;
  /** Items never to recommend (e.g. already bought). */
  readonly exclude?: ItemMask;
}

/**
 * Re-ranking only considers the best few times k items: diversity should
 * trade a little relevance, not surface the catalogue's worst items.
 */
const SHORTLIST_FACTOR = 5;
const MIN_SHORTLIST = 50;

/** The top `k` items by score, re-ranked for diversity with MMR over a shortlist. */
export function rankRecommendations(input: RankInput): number[] {
  const { scores, k, diversity, features, exclude } = input;
  const shortlist = topK(scores, diversity === 0 ? k : Math.max(k, k * SHORTLIST_FACTOR, MIN_SHORTLIST), exclude);
  return rerankByMmr(shortlist, scores, k, diversity, itemSimilarity(features));
}
