import type { ItemFeatures, SharedModel } from '@fedrec/core';
import { biasesView, embeddingsView, scoreAllItems } from '@fedrec/core';
import type { Catalogue } from '@fedrec/core/catalogue';
import { historyScores } from '@fedrec/core/catalogue';
import { allowsStoring } from '../consent/consent-level.js';
import { rankRecommendations } from '../recommend/rank-recommendations.js';
import { catalogueForRows } from './catalogue-rows.js';
import type { CurrentCatalogue } from './current-catalogue.js';
import type { CurrentModel } from './current-model.js';
import { eventsInCatalogue } from './local-update.js';
import { excludedRows, filtersProducts, resolveFilters, type ProductFilters, type ResolvedFilters } from './recommend-filters.js';
import type { ShopperContext } from './shopper-context.js';
import { ShopperClientError } from './shopper-client-error.js';
import type { UserVectorCache } from './user-vector-cache.js';

export interface RecommendOptions extends ProductFilters {
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
  /** The model row (the catalogue's index) of the product. */
  readonly item: number;
  /** The shop's id of the product; null when the device has no catalogue naming that row. */
  readonly productId: string | null;
  /** The score it was ranked by: the model's for this shopper, the history scorer's, or the item's bias (popular). */
  readonly score: number;
}

/** What ranked a list (see `recommendForShopper`). */
export type RecommendationSource = 'model' | 'history' | 'popularity';

export interface RecommendationList {
  readonly items: readonly Recommendation[];
  /** False when the list is popular items only (consent `off`, or no history yet). */
  readonly personalised: boolean;
  readonly source: RecommendationSource;
  /** The shared model used (its biases, at least); null when none was available and the catalogue alone ranked. */
  readonly modelVersion: number | null;
  /** The catalogue the history scorer used, or the one known; null when none was needed or the shop has none. */
  readonly catalogueVersion: string | null;
}

/** Throws on a `k`, `diversity` or filter that `recommendForShopper` cannot use; returns the filters read once. */
export function assertRecommendArguments(k: number, options: RecommendOptions): ResolvedFilters {
  if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`expected k to be a non-negative integer, got ${k}`);
  const diversity = options.diversity ?? 0;
  if (typeof diversity !== 'number' || !(diversity >= 0 && diversity <= 1)) throw new RangeError(`expected diversity in [0, 1], got ${String(diversity)}`);
  return resolveFilters(options);
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
 * Weight of the model's item biases as the history scorer's popularity
 * prior. A BPR item bias learns the item's log-popularity up to a constant
 * (a constant changes no ranking), so it stands where `historyScores` puts
 * `popularityWeight · log(1 + count)`, with the same default weight (0.5).
 * The biases are the published model's, released under the rounds' DP: no
 * count from anyone is used.
 */
export const BIAS_PRIOR_WEIGHT = 0.5;

/** Diversity without a model: the shop's categories when it gave them, else each item's first catalogue attribute. */
function catalogueFeatures(catalogue: Catalogue, categories: ArrayLike<number> | undefined): ItemFeatures {
  const rows = catalogue.itemIds.length;
  if (categories !== undefined && categories.length === rows) return { kind: 'categories', categories: Int32Array.from(categories) };
  const first = new Int32Array(rows);
  for (let item = 0; item < rows; item++) {
    const start = catalogue.attributeOffsets[item]!;
    // An item without attributes is like no other: a category of its own, beyond the vocabulary.
    first[item] = start === catalogue.attributeOffsets[item + 1]! ? catalogue.attributes.length + item : catalogue.attributeIndices[start]!;
  }
  return { kind: 'categories', categories: first };
}

/**
 * The top `k` items for this shopper, computed on the device, from one of:
 * - **history** (`source: 'history'`): at consent `local`, or with no model
 *   available, when the shop has a catalogue: the shopper's own history
 *   against the public catalogue (`historyScores`), plus the model's item
 *   biases as the popularity prior where there is a model. Zero ε, no
 *   round needed, works offline from the stored catalogue. Products the
 *   catalogue has beyond the model's rows (added since the model was
 *   received) rank here too, with the mean bias as their prior;
 * - **model** (`source: 'model'`): otherwise, the shopper's own vector
 *   fitted on the stored history (as before catalogues); products beyond the
 *   model's rows wait for the next model;
 * - **popularity** (`source: 'popularity'`): no history (consent `off`, or
 *   nothing yet) and a model: its item biases.
 * Retired products and what the filters rule out are never in the list.
 * With neither a model nor a history to rank by, rejects with the model's
 * `MODEL_UNAVAILABLE`. Call `assertRecommendArguments` first, for `filters`.
 */
export async function recommendForShopper(
  context: ShopperContext,
  parts: { readonly model: CurrentModel; readonly vector: UserVectorCache; readonly catalogue: CurrentCatalogue },
  k: number,
  options: RecommendOptions,
  filters: ResolvedFilters,
): Promise<RecommendationList> {
  const diversity = options.diversity ?? 0;
  const excludePurchased = options.excludePurchased ?? true;
  const epoch = context.state.epoch;
  let model: SharedModel | null = null;
  let modelError: unknown = null;
  try {
    model = await parts.model.current();
  } catch (error) {
    if (!(error instanceof ShopperClientError) || error.code !== 'MODEL_UNAVAILABLE') throw error;
    modelError = error;
  }
  // The catalogue ranks at `local` or without a model, and filters; otherwise it only names the products (and retires some):
  // then it is asked for only once the server has named one with its model, so a shop without one sees no request (and no 404).
  const catalogueNeeded = context.state.consent === 'local' || model === null || filtersProducts(filters);
  const serverNamesOne = parts.model.serverCatalogueVersion !== null;
  let loaded: Catalogue | null = catalogueNeeded || serverNamesOne ? null : parts.catalogue.catalogue;
  if (catalogueNeeded || serverNamesOne) {
    try {
      loaded = await parts.catalogue.forModel(model?.shape.numItems ?? null, parts.model.serverCatalogueVersion);
    } catch (error) {
      if (catalogueNeeded || !(error instanceof ShopperClientError) || error.code !== 'CATALOGUE_UNAVAILABLE') throw error;
    }
  }
  const catalogue = loaded;
  if (model === null && catalogue === null) throw modelError;
  const named = (scores: ArrayLike<number>, items: readonly number[]): Recommendation[] =>
    items.map((item) => ({ item, productId: catalogue !== null && item < catalogue.itemIds.length ? catalogue.itemIds[item]! : null, score: scores[item]! }));
  return context.queue.run(async () => {
    const modelRows = model?.shape.numItems ?? 0;
    const catalogueRows = catalogue?.itemIds.length ?? 0;
    const stored = allowsStoring(context.state.consent) ? await context.store.readEvents() : [];
    const modelVersion = model?.version ?? null;
    const byHistory = catalogue !== null && (model === null || (context.state.consent === 'local' && eventsInCatalogue(stored, Math.max(modelRows, catalogueRows)).length > 0));
    if (byHistory) {
      // Every product either knows of: the model's rows, and the catalogue's newer products after them.
      const rows = Math.max(modelRows, catalogueRows);
      const events = eventsInCatalogue(stored, rows);
      // Nothing to rank by: no model for a prior, no history to match.
      if (model === null && events.length === 0) throw modelError;
      const aligned = catalogueForRows(catalogue, rows);
      const scores = historyScores(events, aligned.catalogue, aligned.idf, context.options.eventWeights !== undefined ? { eventWeights: context.options.eventWeights } : {});
      if (model !== null) {
        const biases = biasesView(model.shape, model.values);
        let meanBias = 0;
        for (let item = 0; item < modelRows; item++) meanBias += biases[item]! / modelRows;
        for (let item = 0; item < rows; item++) scores[item]! += BIAS_PRIOR_WEIGHT * (item < modelRows ? biases[item]! : meanBias);
      }
      const features = model !== null && rows === modelRows ? itemFeatures(model, context.options.itemCategories) : catalogueFeatures(aligned.catalogue, context.options.itemCategories);
      const exclude = excludedRows(rows, catalogue, filters, excludePurchased ? events : null);
      const items = rankRecommendations({ scores, k, diversity, features, exclude });
      return { items: named(scores, items), personalised: true, source: 'history', modelVersion, catalogueVersion: catalogue.version };
    }
    // Past the branch above there is a model: without one, the catalogue's branch ranked or threw.
    const shared = model!;
    const events = eventsInCatalogue(stored, modelRows);
    const features = itemFeatures(shared, context.options.itemCategories);
    if (events.length === 0) {
      const popularity = biasesView(shared.shape, shared.values);
      const items = rankRecommendations({ scores: popularity, k, diversity, features, exclude: excludedRows(modelRows, catalogue, filters, null) });
      return { items: named(popularity, items), personalised: false, source: 'popularity', modelVersion: shared.version, catalogueVersion: catalogue?.version ?? null };
    }
    const vector = await parts.vector.fit(shared, events, epoch);
    const scores = scoreAllItems(shared.shape, shared.values, vector);
    const exclude = excludedRows(modelRows, catalogue, filters, excludePurchased ? events : null);
    const items = rankRecommendations({ scores, k, diversity, features, exclude });
    return { items: named(scores, items), personalised: true, source: 'model', modelVersion: shared.version, catalogueVersion: catalogue?.version ?? null };
  });
}
