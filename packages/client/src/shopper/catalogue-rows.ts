import type { Catalogue } from '@fedrec/core/catalogue';
import { attributeIdf, buildCatalogue, catalogueToJson } from '@fedrec/core/catalogue';

/** A catalogue laid over a model's rows, with its attribute idf, ready for `historyScores`. */
export interface RowCatalogue {
  readonly catalogue: Catalogue;
  readonly idf: Float32Array;
}

const cache = new WeakMap<Catalogue, Map<number, RowCatalogue>>();

/**
 * The catalogue over `rows` items: the catalogue's item i is the model's row
 * i (the server refuses to start with a catalogue of another size, so they
 * differ only while a device holds a catalogue and a model of different
 * releases). **The model's row count wins**: catalogue items beyond it are
 * left out (no row to recommend or record them by), and rows beyond the
 * catalogue have no attributes (they rank by the popularity prior alone).
 * Without a model, `rows` is the catalogue's own size. Cached per catalogue.
 */
export function catalogueForRows(catalogue: Catalogue, rows: number): RowCatalogue {
  let byRows = cache.get(catalogue);
  if (byRows === undefined) cache.set(catalogue, (byRows = new Map()));
  let aligned = byRows.get(rows);
  if (aligned === undefined) {
    const sized = rows === catalogue.itemIds.length ? catalogue : resize(catalogue, rows);
    aligned = { catalogue: sized, idf: attributeIdf(sized) };
    byRows.set(rows, aligned);
  }
  return aligned;
}

function resize(catalogue: Catalogue, rows: number): Catalogue {
  const items = catalogueToJson(catalogue).items.slice(0, rows);
  const ids = new Set(items.map((item) => item.id));
  // Rows the catalogue does not describe: an id no real item has (ids must be unique), no attributes.
  for (let row = items.length; row < rows; row++) {
    let id = `#row-${row}`;
    while (ids.has(id)) id = `#${id}`;
    items.push({ id, attributes: [] });
  }
  return buildCatalogue(items);
}
