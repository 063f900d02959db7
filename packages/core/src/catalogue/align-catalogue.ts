import { buildCatalogue, itemAttributes } from './catalogue.js';
import type { Catalogue, CatalogueEntry } from './catalogue.js';

/** A catalogue re-indexed to a model's rows, and how well the two matched. */
export interface AlignedCatalogue {
  /** Item i is the model's row i; items with no catalogue entry have no attributes. */
  readonly catalogue: Catalogue;
  /** Rows whose id the catalogue had. */
  readonly matched: number;
  /** Ids of rows the catalogue did not have (they still work, from their own row only). */
  readonly missing: readonly string[];
  /** Catalogue entries no row has (products nobody interacted with, or retired). */
  readonly unused: number;
}

/**
 * Re-index `catalogue` to the rows of a model whose item ids are `itemIds`
 * (a dataset numbers items in order of first appearance, a catalogue file in
 * its own order). Attribute names, and so the vocabulary's meaning, are kept.
 *
 * @example
 * const { catalogue: aligned, missing } = alignCatalogue(catalogue, population.itemIds);
 */
export function alignCatalogue(catalogue: Catalogue, itemIds: readonly string[]): AlignedCatalogue {
  const indexOf = new Map<string, number>();
  catalogue.itemIds.forEach((id, index) => indexOf.set(id, index));
  const missing: string[] = [];
  const used = new Set<number>();
  const numericNames = Object.keys(catalogue.numeric);
  const entries: CatalogueEntry[] = itemIds.map((id) => {
    const source = indexOf.get(id);
    if (source === undefined) {
      missing.push(id);
      return { id, attributes: [] };
    }
    used.add(source);
    const numeric: Record<string, number> = {};
    for (const name of numericNames) {
      const value = catalogue.numeric[name]![source]!;
      if (!Number.isNaN(value)) numeric[name] = value;
    }
    return { id, attributes: Array.from(itemAttributes(catalogue, source), (a) => catalogue.attributes[a]!), numeric, retired: catalogue.retired[source] === 1 };
  });
  return { catalogue: buildCatalogue(entries), matched: itemIds.length - missing.length, missing, unused: catalogue.itemIds.length - used.size };
}
