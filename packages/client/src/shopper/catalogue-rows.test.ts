import { describe, expect, it } from 'vitest';
import { buildCatalogue, itemAttributes } from '@fedrec/core/catalogue';
import { catalogueForRows } from './catalogue-rows.js';

const catalogue = buildCatalogue([
  { id: 'a', attributes: ['brand:x', 'category:1'] },
  { id: 'b', attributes: ['brand:y'] },
  { id: 'c', attributes: ['brand:x', 'category:2'], numeric: { price: 3 } },
]);

const names = (c: typeof catalogue, item: number): string[] => Array.from(itemAttributes(c, item), (a) => c.attributes[a]!);

describe('catalogueForRows', () => {
  it('is the catalogue itself when the sizes agree', () => {
    expect(catalogueForRows(catalogue, 3).catalogue).toBe(catalogue);
  });

  it('keeps the first rows when the model is smaller, and adds rows without attributes when it is larger', () => {
    const fewer = catalogueForRows(catalogue, 2).catalogue;
    expect(fewer.itemIds).toEqual(['a', 'b']);
    expect([names(fewer, 0), names(fewer, 1)]).toEqual([['brand:x', 'category:1'], ['brand:y']]);

    const more = catalogueForRows(catalogue, 5).catalogue;
    expect(more.itemIds).toHaveLength(5);
    expect(names(more, 2)).toEqual(['brand:x', 'category:2']);
    expect(more.numeric['price']![2]).toBe(3);
    expect([names(more, 3), names(more, 4)]).toEqual([[], []]);
  });
});
