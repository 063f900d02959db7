import { describe, expect, it } from 'vitest';
import { SavedStateError } from '../state/saved-state.js';
import { alignCatalogue } from './align-catalogue.js';
import { buildCatalogue, isRetired, itemAttributes, retireProducts } from './catalogue.js';
import { checkCatalogueGrowth } from './catalogue-growth.js';
import { catalogueToJson, parseCatalogueJson } from './catalogue-json.js';

const names = (catalogue: ReturnType<typeof buildCatalogue>, item: number) => Array.from(itemAttributes(catalogue, item), (a) => catalogue.attributes[a]);

const SHOP = [
  { id: 'lipstick', attributes: ['brand:Acme', 'category:lips', 'category:lips'], numeric: { price: 12.5 } },
  { id: 'mascara', attributes: ['brand:Acme', 'category:eyes'] },
  { id: 'gift-card', attributes: [] },
];

describe('buildCatalogue', () => {
  it('holds each item’s attributes once, from one vocabulary, and numeric columns with NaN where absent', () => {
    const catalogue = buildCatalogue(SHOP);
    expect(catalogue.itemIds).toEqual(['lipstick', 'mascara', 'gift-card']);
    expect(catalogue.attributes).toEqual(['brand:Acme', 'category:lips', 'category:eyes']);
    expect(names(catalogue, 0)).toEqual(['brand:Acme', 'category:lips']);
    expect(names(catalogue, 1)).toEqual(['brand:Acme', 'category:eyes']);
    expect(names(catalogue, 2)).toEqual([]);
    expect(Array.from(catalogue.numeric['price']!)).toEqual([12.5, NaN, NaN]);
    expect(() => itemAttributes(catalogue, 3)).toThrow(/\[0, 3\)/);
  });

  it('versions by content: equal contents give equal versions, any change another', () => {
    const version = buildCatalogue(SHOP).version;
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(buildCatalogue(SHOP.map((e) => ({ ...e }))).version).toBe(version);
    expect(buildCatalogue([SHOP[0]!, SHOP[1]!]).version).not.toBe(version);
    expect(buildCatalogue([{ ...SHOP[0]!, numeric: { price: 12.6 } }, SHOP[1]!, SHOP[2]!]).version).not.toBe(version);
    expect(buildCatalogue([SHOP[0]!, { ...SHOP[1]!, attributes: ['brand:Acme'] }, SHOP[2]!]).version).not.toBe(version);
  });

  it('refuses a repeated id, an empty attribute and a non-finite number', () => {
    expect(() => buildCatalogue([SHOP[0]!, SHOP[0]!])).toThrow(/"lipstick" appears twice/);
    expect(() => buildCatalogue([{ id: 'x', attributes: [''] }])).toThrow(/non-empty attribute/);
    expect(() => buildCatalogue([{ id: 'x', attributes: [], numeric: { price: Infinity } }])).toThrow(/finite price/);
  });
});

describe('alignCatalogue', () => {
  it('re-indexes to the model’s rows; rows without an entry have no attributes; entries without a row are counted', () => {
    const { catalogue, matched, missing, unused } = alignCatalogue(buildCatalogue(SHOP), ['mascara', 'new-serum', 'lipstick']);
    expect(catalogue.itemIds).toEqual(['mascara', 'new-serum', 'lipstick']);
    expect(names(catalogue, 0)).toEqual(['brand:Acme', 'category:eyes']);
    expect(names(catalogue, 1)).toEqual([]);
    expect(names(catalogue, 2)).toEqual(['brand:Acme', 'category:lips']);
    expect(Array.from(catalogue.numeric['price']!)).toEqual([NaN, NaN, 12.5]);
    expect({ matched, missing, unused }).toEqual({ matched: 2, missing: ['new-serum'], unused: 1 });
  });
});

describe('catalogue JSON', () => {
  it('round-trips', () => {
    const catalogue = buildCatalogue(SHOP);
    const back = parseCatalogueJson(JSON.stringify(catalogueToJson(catalogue)));
    expect(back).toEqual(catalogue);
  });

  it('refuses a bad field by its path, a truncated copy by its version, and text that is not JSON', () => {
    const json = catalogueToJson(buildCatalogue(SHOP));
    const bad = { ...json, items: [json.items[0], { id: 'mascara', attributes: [7] }] };
    expect(() => parseCatalogueJson(bad)).toThrow(SavedStateError);
    expect(() => parseCatalogueJson(bad)).toThrow(/catalogue field items\.1\.attributes\.0/);
    expect(() => parseCatalogueJson({ ...json, items: json.items.slice(0, 2) })).toThrow(/field version: does not match the contents/);
    expect(() => parseCatalogueJson({ ...json, items: [json.items[0], json.items[0]] })).toThrow(/appears twice/);
    expect(() => parseCatalogueJson('{"format": "fedrec-catalogue",')).toThrow(/not valid JSON/);
  });
});

const PRE_RETIREMENT_VERSION = '7fa1920eae0727eb';

describe('retired products', () => {
  it('keep their row, change the version, and round-trip as format version 2; a catalogue without them stays version 1', () => {
    const plain = buildCatalogue(SHOP);
    const retiring = buildCatalogue([SHOP[0]!, { ...SHOP[1]!, retired: true }, SHOP[2]!]);
    expect(retiring.itemIds).toEqual(plain.itemIds);
    expect(Array.from(retiring.retired)).toEqual([0, 1, 0]);
    expect(isRetired(retiring, 1)).toBe(true);
    expect(retiring.version).not.toBe(plain.version);
    expect(catalogueToJson(plain).formatVersion).toBe(1);
    const json = catalogueToJson(retiring);
    expect(json.formatVersion).toBe(2);
    expect(json.items[1]).toEqual({ id: 'mascara', attributes: ['brand:Acme', 'category:eyes'], retired: true });
    expect(parseCatalogueJson(JSON.stringify(json))).toEqual(retiring);
    expect(alignCatalogue(retiring, ['mascara']).catalogue.retired[0]).toBe(1);
  });

  it('retireProducts gives what building with retired entries gives, and refuses an unknown id naming it', () => {
    const plain = buildCatalogue(SHOP);
    const retiring = buildCatalogue([SHOP[0]!, { ...SHOP[1]!, retired: true }, SHOP[2]!]);
    expect(retireProducts(plain, ['mascara'])).toEqual(retiring);
    // Retiring again, or nothing, changes nothing; the input is left as it was.
    expect(retireProducts(retiring, ['mascara'])).toEqual(retiring);
    expect(retireProducts(plain, [])).toEqual(plain);
    expect(Array.from(plain.retired)).toEqual([0, 0, 0]);
    expect(() => retireProducts(plain, ['mascarra'])).toThrow(/cannot retire product "mascarra": the catalogue has no such product/);
  });

  it('keeps the versions of catalogues written before the field existed', () => {
    // Computed by the version-1-only code this replaced: stored copies on devices must still verify.
    expect(buildCatalogue(SHOP).version).toBe(PRE_RETIREMENT_VERSION);
  });

  it('refuses retired on a version-1 file', () => {
    const json = catalogueToJson(buildCatalogue([{ ...SHOP[0]!, retired: true }]));
    expect(() => parseCatalogueJson({ ...json, formatVersion: 1 })).toThrow(/items\.0\.retired: needs formatVersion 2/);
  });
});

describe('checkCatalogueGrowth', () => {
  const rows = ['lipstick', 'mascara'];
  it('counts the products appended after the model’s rows', () => {
    expect(checkCatalogueGrowth(rows, buildCatalogue(SHOP))).toBe(1);
    expect(checkCatalogueGrowth(rows, buildCatalogue(SHOP.slice(0, 2)))).toBe(0);
  });

  it('refuses a reordered or replaced product by its row and id, and a removed one by its id', () => {
    expect(() => checkCatalogueGrowth(rows, buildCatalogue([SHOP[1]!, SHOP[0]!]))).toThrow(/row 0 is product "lipstick" in the model but "mascara" in the catalogue/);
    expect(() => checkCatalogueGrowth(rows, buildCatalogue([SHOP[0]!]))).toThrow(/lists 1 products but the model has 2 rows, and product "mascara" \(row 1\) is missing/);
  });
});
