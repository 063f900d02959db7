import type { SharedModel } from '@fedrec/core';
import { embeddingsView, topK } from '@fedrec/core';
import type { Catalogue } from '@fedrec/core/catalogue';
import { attributeIdf } from '@fedrec/core/catalogue';
import { itemSimilarity } from '../recommend/item-similarity.js';
import type { CurrentCatalogue } from './current-catalogue.js';
import type { CurrentModel } from './current-model.js';
import { rowIndex } from './recommend-filters.js';
import { ShopperClientError } from './shopper-client-error.js';

export interface SimilarItemsOptions {
  /** How many products to return at most. Default 10. */
  readonly count?: number;
}

export interface SimilarItem {
  /** The model row (the catalogue's index) of the product. */
  readonly item: number;
  readonly productId: string;
  /** Cosine similarity to the product asked about, of item vectors (`model`) or of idf-weighted attributes (`catalogue`). */
  readonly score: number;
}

export interface SimilarItemsList {
  readonly items: readonly SimilarItem[];
  /** `model`: the shared model's item vectors; `catalogue`: shared attributes (no model, or a product newer than the model). */
  readonly source: 'model' | 'catalogue';
  readonly modelVersion: number | null;
  readonly catalogueVersion: string;
}

/** Throws on a product id or count `similarItemsFor` cannot use; returns the count. */
export function assertSimilarItemsArguments(productId: string, options: SimilarItemsOptions): number {
  if (typeof productId !== 'string' || productId === '') throw new TypeError(`expected a non-empty product id, got ${typeof productId}`);
  const count = options.count ?? 10;
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`expected count to be a non-negative integer, got ${String(count)}`);
  return count;
}

/**
 * Products like `productId`, for a product page: nothing about the shopper
 * is read or stored, so it works at every consent level. With a model that
 * has the product's row, by the cosine of the item vectors (products bought
 * by the same shoppers); otherwise by the idf-weighted cosine of their
 * catalogue attributes (a new product before its first model, or no model).
 * The product itself and retired products are left out, and so, by
 * attributes, are products that share none.
 * Rejects with `CATALOGUE_UNAVAILABLE` when there is no catalogue to find
 * the id in, and with a `RangeError` for an id the catalogue does not list.
 */
export async function similarItemsFor(parts: { readonly model: CurrentModel; readonly catalogue: CurrentCatalogue }, productId: string, count: number): Promise<SimilarItemsList> {
  let model: SharedModel | null = null;
  try {
    model = await parts.model.current();
  } catch (error) {
    if (!(error instanceof ShopperClientError) || error.code !== 'MODEL_UNAVAILABLE') throw error;
  }
  const catalogue = await parts.catalogue.forModel(model?.shape.numItems ?? null, parts.model.serverCatalogueVersion);
  if (catalogue === null) throw new ShopperClientError('CATALOGUE_UNAVAILABLE', 'similar items are found by product id, which needs the shop’s catalogue (GET /catalogue), and none is available');
  const row = rowIndex(catalogue).get(productId);
  if (row === undefined) throw new RangeError(`unknown product id ${JSON.stringify(productId)}: the shop's catalogue (version ${catalogue.version}) does not list it`);
  const byModel = model !== null && row < model.shape.numItems;
  const rows = byModel ? model!.shape.numItems : catalogue.itemIds.length;
  const scores = byModel ? vectorSimilarity(model!, row) : attributeSimilarity(catalogue, row);
  const exclude = new Uint8Array(rows);
  exclude[row] = 1;
  for (let item = 0; item < rows; item++) {
    if (item < catalogue.itemIds.length ? catalogue.retired[item] === 1 : true) exclude[item] = 1;
    if (!byModel && scores[item] === 0) exclude[item] = 1;
  }
  const items = Array.from(topK(scores, count, exclude), (item) => ({ item, productId: catalogue.itemIds[item]!, score: scores[item]! }));
  return { items, source: byModel ? 'model' : 'catalogue', modelVersion: model?.version ?? null, catalogueVersion: catalogue.version };
}

function vectorSimilarity(model: SharedModel, row: number): Float32Array {
  const { numItems, dim } = model.shape;
  const similarity = itemSimilarity({ kind: 'embeddings', embeddings: embeddingsView(model.shape, model.values), dim });
  return Float32Array.from({ length: numItems }, (_, item) => similarity(row, item));
}

function attributeSimilarity(catalogue: Catalogue, row: number): Float32Array {
  const idf = attributeIdf(catalogue);
  const { attributeOffsets: offsets, attributeIndices: indices } = catalogue;
  const weight = new Map<number, number>();
  let ownNorm = 0;
  for (let k = offsets[row]!; k < offsets[row + 1]!; k++) {
    weight.set(indices[k]!, idf[indices[k]!]!);
    ownNorm += idf[indices[k]!]! ** 2;
  }
  const scores = new Float32Array(catalogue.itemIds.length);
  if (ownNorm === 0) return scores;
  for (let item = 0; item < scores.length; item++) {
    let dot = 0;
    let norm = 0;
    for (let k = offsets[item]!; k < offsets[item + 1]!; k++) {
      const w = idf[indices[k]!]!;
      norm += w * w;
      dot += w * (weight.get(indices[k]!) ?? 0);
    }
    scores[item] = norm === 0 ? 0 : dot / Math.sqrt(norm * ownNorm);
  }
  return scores;
}
