import type { ItemFeatures, SharedModel } from '@fedrec/core';
import { biasesView, embeddingsView, scoreAllItems } from '@fedrec/core';
import { allowsStoring } from '../consent/consent-level.js';
import { rankRecommendations } from '../recommend/rank-recommendations.js';
import type { CurrentModel } from './current-model.js';
import { eventsInCatalogue } from './local-update.js';
import type { ShopperContext } from './shopper-context.js';
import type { UserVectorCache } from './user-vector-cache.js';

export interface RecommendOptions {
  /**
   * In [0, 1]. 0 ranks by relevance alone; higher values re-rank with
   * maximal marginal relevance so the list is less "more of the same".
   * Default 0.
   */
  readonly diversity?: number;
  /** Leave out items the shopper already bought. Default true. */
  readonly excludePurchased?: boolean;
}

export interface Recommendation {
  readonly item: number;
  /** The model's score for this shopper (personalised) or the item's bias (popular). */
  readonly score: number;
}

export interface RecommendationList {
  readonly items: readonly Recommendation[];
  /** False when the list is popular items only (consent `off`, or no history yet). */
  readonly personalised: boolean;
  readonly modelVersion: number;
}

/** Throws on a `k` or `diversity` that `recommendForShopper` cannot use. */
export function assertRecommendArguments(k: number, options: RecommendOptions): void {
  if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`expected k to be a non-negative integer, got ${k}`);
  const diversity = options.diversity ?? 0;
  if (typeof diversity !== 'number' || !(diversity >= 0 && diversity <= 1)) throw new RangeError(`expected diversity in [0, 1], got ${String(diversity)}`);
}

/** What diversity measures distance by: the shop's categories when it gave them, else the model's item embeddings. */
function itemFeatures(model: SharedModel, categories: ArrayLike<number> | undefined): ItemFeatures {
  if (categories === undefined) return { kind: 'embeddings', embeddings: embeddingsView(model.shape, model.values), dim: model.shape.dim };
  if (categories.length !== model.shape.numItems) {
    throw new RangeError(`expected itemCategories to have one entry per item (${model.shape.numItems}), got ${categories.length}`);
  }
  return { kind: 'categories', categories: Int32Array.from(categories) };
}

/**
 * The top `k` items for this shopper, computed on the device: from the
 * shopper's own vector (fitted on the stored history) when consent allows a
 * history and there is one, otherwise the popular items (the model's item
 * biases). Call `assertRecommendArguments` first.
 */
export async function recommendForShopper(
  context: ShopperContext,
  parts: { readonly model: CurrentModel; readonly vector: UserVectorCache },
  k: number,
  options: RecommendOptions,
): Promise<RecommendationList> {
  const diversity = options.diversity ?? 0;
  const epoch = context.state.epoch;
  const model = await parts.model.current();
  return context.queue.run(async () => {
    const features = itemFeatures(model, context.options.itemCategories);
    const events = allowsStoring(context.state.consent) ? eventsInCatalogue(await context.store.readEvents(), model.shape.numItems) : [];
    if (events.length === 0) {
      const popularity = biasesView(model.shape, model.values);
      const items = rankRecommendations({ scores: popularity, k, diversity, features });
      return { items: items.map((item) => ({ item, score: popularity[item]! })), personalised: false, modelVersion: model.version };
    }
    const vector = await parts.vector.fit(model, events, epoch);
    const scores = scoreAllItems(model.shape, model.values, vector);
    let exclude: Uint8Array | undefined;
    if (options.excludePurchased ?? true) {
      exclude = new Uint8Array(model.shape.numItems);
      for (const event of events) if (event.type === 'purchase') exclude[event.item] = 1;
    }
    const items = rankRecommendations({ scores, k, diversity, features, ...(exclude !== undefined ? { exclude } : {}) });
    return { items: items.map((item) => ({ item, score: scores[item]! })), personalised: true, modelVersion: model.version };
  });
}
