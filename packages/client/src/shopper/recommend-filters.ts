import type { ShoppingEvent } from '@fedrec/core';
import type { Catalogue } from '@fedrec/core/catalogue';
import { ShopperClientError } from './shopper-client-error.js';

/** Which products a list may hold: `recommend()`'s filters, by product id and attribute. */
export interface ProductFilters {
  /**
   * Product ids never to recommend: out of stock, in the basket, on the page
   * already. Ids the device's catalogue does not know are ignored (a stock
   * list may name products newer than the catalogue it holds).
   */
  readonly exclude?: Iterable<string>;
  /**
   * Recommend only among these product ids (a search result, a shelf). Ids
   * the catalogue does not know are ignored; when it knows none, the list is empty.
   */
  readonly candidates?: Iterable<string>;
  /**
   * Recommend only products with this catalogue attribute, as the catalogue
   * spells it (`'category:lips'`, `'brand:Acme'`). One the catalogue does not
   * have matches nothing: the list is empty.
   */
  readonly attribute?: string;
}

/** The filters as checked arrays (an iterable is read once). */
export interface ResolvedFilters {
  readonly exclude: readonly string[];
  readonly candidates: readonly string[] | null;
  readonly attribute: string | null;
}

function idList(value: Iterable<string> | undefined, name: string): string[] | null {
  if (value === undefined) return null;
  if (typeof value === 'string' || typeof (value as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`expected ${name} to be an iterable of product ids (an array or a Set), got ${typeof value}`);
  }
  const ids = Array.from(value);
  const bad = ids.findIndex((id) => typeof id !== 'string' || id === '');
  if (bad >= 0) throw new TypeError(`expected ${name}[${bad}] to be a non-empty product id string, got ${typeof ids[bad]}`);
  return ids;
}

/** Checks the filters' types (TypeError naming the field) and reads the iterables once. */
export function resolveFilters(filters: ProductFilters): ResolvedFilters {
  const { attribute } = filters;
  if (attribute !== undefined && (typeof attribute !== 'string' || attribute === '')) throw new TypeError(`expected attribute to be a non-empty string, got ${typeof attribute}`);
  return { exclude: idList(filters.exclude, 'exclude') ?? [], candidates: idList(filters.candidates, 'candidates'), attribute: attribute ?? null };
}

/** Whether any filter needs the catalogue to be applied. */
export function filtersProducts(filters: ResolvedFilters): boolean {
  return filters.exclude.length > 0 || filters.candidates !== null || filters.attribute !== null;
}

/**
 * The rows (of `rows`) a list must leave out, 1 for each: retired products,
 * what the shopper bought (when `purchases` are given), and what the filters
 * rule out. Rows beyond the catalogue (a model newer than the catalogue the
 * device could get) have no id: only the product filters (`candidates`,
 * `attribute`) rule them out. Throws `CATALOGUE_UNAVAILABLE` when a filter
 * needs a catalogue and there is none.
 */
export function excludedRows(rows: number, catalogue: Catalogue | null, filters: ResolvedFilters, purchases: readonly ShoppingEvent[] | null): Uint8Array {
  const mask = new Uint8Array(rows);
  if (purchases !== null) for (const event of purchases) if (event.type === 'purchase' && event.item < rows) mask[event.item] = 1;
  if (catalogue === null) {
    if (filtersProducts(filters)) throw new ShopperClientError('CATALOGUE_UNAVAILABLE', 'filtering by product id or attribute needs the shop’s catalogue (GET /catalogue), and none is available');
    return mask;
  }
  const described = Math.min(rows, catalogue.itemIds.length);
  for (let item = 0; item < described; item++) if (catalogue.retired[item] === 1) mask[item] = 1;
  const rowOf = rowIndex(catalogue);
  for (const id of filters.exclude) {
    const row = rowOf.get(id);
    if (row !== undefined && row < rows) mask[row] = 1;
  }
  if (filters.candidates !== null) {
    const allowed = new Uint8Array(rows);
    for (const id of filters.candidates) {
      const row = rowOf.get(id);
      if (row !== undefined && row < rows) allowed[row] = 1;
    }
    for (let item = 0; item < rows; item++) if (allowed[item] === 0) mask[item] = 1;
  }
  if (filters.attribute !== null) {
    const attribute = catalogue.attributes.indexOf(filters.attribute);
    for (let item = 0; item < rows; item++) {
      if (item >= described || attribute < 0 || !hasAttribute(catalogue, item, attribute)) mask[item] = 1;
    }
  }
  return mask;
}

function hasAttribute(catalogue: Catalogue, item: number, attribute: number): boolean {
  for (let k = catalogue.attributeOffsets[item]!; k < catalogue.attributeOffsets[item + 1]!; k++) if (catalogue.attributeIndices[k] === attribute) return true;
  return false;
}

const rowIndexes = new WeakMap<Catalogue, Map<string, number>>();

/** Each product id's row, cached per catalogue. */
export function rowIndex(catalogue: Catalogue): ReadonlyMap<string, number> {
  let index = rowIndexes.get(catalogue);
  if (index === undefined) {
    index = new Map(catalogue.itemIds.map((id, row) => [id, row]));
    rowIndexes.set(catalogue, index);
  }
  return index;
}
