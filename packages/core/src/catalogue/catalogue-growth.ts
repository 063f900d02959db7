import type { Catalogue } from './catalogue.js';

/**
 * How many products `catalogue` appends to a model whose rows are
 * `rowIds`, or a `RangeError` naming the first id that breaks the rule that
 * rows are append-only: every row keeps its product, in its place, and new
 * products come after them. A product leaves by being marked `retired`, never
 * by being removed, since removing one would shift every later row onto
 * another product's vector.
 *
 * @example
 * const added = checkCatalogueGrowth(checkpoint.itemIds, catalogue); // 0: same products
 */
export function checkCatalogueGrowth(rowIds: readonly string[], catalogue: Catalogue): number {
  const { itemIds } = catalogue;
  const shared = Math.min(rowIds.length, itemIds.length);
  for (let row = 0; row < shared; row++) {
    if (rowIds[row] !== itemIds[row]) {
      throw new RangeError(
        `row ${row} is product ${JSON.stringify(rowIds[row])} in the model but ${JSON.stringify(itemIds[row])} in the catalogue: ` +
          'products keep their place; add new ones at the end and mark ones no longer sold "retired"',
      );
    }
  }
  if (itemIds.length < rowIds.length) {
    throw new RangeError(
      `the catalogue lists ${itemIds.length} products but the model has ${rowIds.length} rows, and product ${JSON.stringify(rowIds[itemIds.length])} (row ${itemIds.length}) is missing: ` +
        'keep it and mark it "retired" instead of removing it',
    );
  }
  return itemIds.length - rowIds.length;
}
