import { buildCatalogue } from '@fedrec/core/catalogue';
import type { Catalogue } from '@fedrec/core/catalogue';
import { DatasetError, parseError } from '../dataset/dataset-error.js';
import { detectDelimiter, splitFields } from '../dataset/delimited-line.js';
import type { Delimiter } from '../dataset/delimited-line.js';
import { readLines } from '../dataset/read-lines.js';

/** A first field that makes the first line a header rather than an item. */
const HEADER_FIRST_FIELD = /^(item|item_?id|id|product|product_?id|sku)$/i;
/** `name=number`: a numeric attribute (`price=12.50`). */
const NUMERIC = /^([^=\s]+)=(.+)$/;

/**
 * A generic catalogue file: one item a line, `item,attribute[,attribute…]`
 * (CSV, TSV or semicolons, detected from the first line; quoted fields as in
 * RFC 4180). Attributes are kept as written, so `brand:Acme,category:lips`
 * names their kind; a field `name=number` (`price=12.50`) is a numeric
 * attribute. An item may appear on several lines (its attributes add up; a
 * numeric attribute given twice must agree). A first line whose first field is
 * `item`, `id`, `product`, `sku` (or `item_id`, `product_id`) is a header and
 * is skipped. An item with no attribute fields is in the catalogue with none.
 *
 * @example
 * // products.csv:  item,attributes
 * //                sku-1,brand:Acme,category:lips,price=12.50
 * const catalogue = await loadAttributeCsv('products.csv');
 */
export async function loadAttributeCsv(path: string): Promise<Catalogue> {
  const items = new Map<string, { attributes: string[]; numeric: Record<string, number> }>();
  let delimiter: Delimiter | undefined;
  let line = 0;
  for await (const text of readLines(path)) {
    line++;
    if (text.trim() === '') continue;
    const first = delimiter === undefined;
    delimiter ??= detectDelimiter(text);
    const fields = splitFields(text, delimiter);
    if (fields === undefined) throw parseError(path, line, 'a closing quote on the same line');
    const id = fields[0]!;
    if (first && HEADER_FIRST_FIELD.test(id)) continue;
    if (id === '') throw parseError(path, line, 'an item id in the first field', '');
    let item = items.get(id);
    if (item === undefined) items.set(id, (item = { attributes: [], numeric: {} }));
    for (const field of fields.slice(1)) {
      if (field === '') continue;
      const numeric = NUMERIC.exec(field);
      if (numeric !== null) {
        const name = numeric[1]!;
        const written = numeric[2]!;
        const value = Number(written);
        if (written.trim() === '' || !Number.isFinite(value)) throw parseError(path, line, `a finite number for ${name}`, written);
        const earlier = item.numeric[name];
        if (earlier !== undefined && earlier !== value) throw parseError(path, line, `the same ${name} as an earlier line for item ${id} (${earlier})`, written);
        item.numeric[name] = value;
      } else {
        item.attributes.push(field);
      }
    }
  }
  if (items.size === 0) throw new DatasetError('EMPTY', 'no items in the file', path);
  return buildCatalogue([...items].map(([id, { attributes, numeric }]) => ({ id, attributes, numeric })));
}
