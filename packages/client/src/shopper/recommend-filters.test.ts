import { describe, expect, it } from 'vitest';
import { buildCatalogue } from '@fedrec/core/catalogue';
import { excludedRows, filtersProducts, resolveFilters } from './recommend-filters.js';

const catalogue = buildCatalogue([
  { id: 'lipstick', attributes: ['category:lips'] },
  { id: 'gloss', attributes: ['category:lips'], retired: true },
  { id: 'mascara', attributes: ['category:eyes'] },
  { id: 'liner', attributes: ['category:eyes'] },
]);
const rows = (mask: Uint8Array): number[] => Array.from(mask).flatMap((excluded, row) => (excluded === 1 ? [] : [row]));

describe('excludedRows', () => {
  it('always leaves out retired products, and purchases when given', () => {
    expect(rows(excludedRows(4, catalogue, resolveFilters({}), null))).toEqual([0, 2, 3]);
    expect(rows(excludedRows(4, catalogue, resolveFilters({}), [{ item: 3, type: 'purchase', time: 1 }, { item: 2, type: 'view', time: 2 }]))).toEqual([0, 2]);
  });

  it('applies exclude, candidates and attribute by product id, ignoring ids the catalogue does not list', () => {
    expect(rows(excludedRows(4, catalogue, resolveFilters({ exclude: new Set(['mascara', 'unknown']) }), null))).toEqual([0, 3]);
    expect(rows(excludedRows(4, catalogue, resolveFilters({ candidates: ['gloss', 'liner', 'unknown'] }), null))).toEqual([3]);
    expect(rows(excludedRows(4, catalogue, resolveFilters({ candidates: ['unknown'] }), null))).toEqual([]);
    expect(rows(excludedRows(4, catalogue, resolveFilters({ attribute: 'category:eyes' }), null))).toEqual([2, 3]);
    expect(rows(excludedRows(4, catalogue, resolveFilters({ attribute: 'category:none' }), null))).toEqual([]);
  });

  it('leaves rows beyond the catalogue in unless a product filter needs their attributes or id', () => {
    expect(rows(excludedRows(6, catalogue, resolveFilters({ exclude: ['lipstick'] }), null))).toEqual([2, 3, 4, 5]);
    expect(rows(excludedRows(6, catalogue, resolveFilters({ attribute: 'category:lips' }), null))).toEqual([0]);
  });

  it('needs a catalogue for a filter, and none otherwise', () => {
    expect(rows(excludedRows(3, null, resolveFilters({}), [{ item: 1, type: 'purchase', time: 1 }]))).toEqual([0, 2]);
    expect(() => excludedRows(3, null, resolveFilters({ exclude: ['x'] }), null)).toThrow(expect.objectContaining({ code: 'CATALOGUE_UNAVAILABLE' }));
  });
});

describe('resolveFilters', () => {
  it('reads an iterable once and refuses what is not a list of product ids, naming the field', () => {
    const ids = new Set(['a', 'b']);
    expect(resolveFilters({ candidates: ids.values() })).toEqual({ exclude: [], candidates: ['a', 'b'], attribute: null });
    expect(filtersProducts(resolveFilters({}))).toBe(false);
    expect(filtersProducts(resolveFilters({ attribute: 'brand:x' }))).toBe(true);
    expect(() => resolveFilters({ exclude: 'sku-1' as unknown as string[] })).toThrow(/expected exclude to be an iterable of product ids/);
    expect(() => resolveFilters({ candidates: [3 as unknown as string] })).toThrow(/expected candidates\[0\] to be a non-empty product id string, got number/);
    expect(() => resolveFilters({ attribute: '' })).toThrow(/expected attribute to be a non-empty string/);
  });
});
