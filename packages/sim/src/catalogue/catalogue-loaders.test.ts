import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { itemAttributes } from '@fedrec/core/catalogue';
import type { Catalogue } from '@fedrec/core/catalogue';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../dataset/dataset-error.js';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { parseCatalogueSpec } from './catalogue-spec.js';
import { loadCatalogue, loadCatalogueFor } from './load-catalogue.js';
import { syntheticCatalogue } from './synthetic-catalogue.js';

const dir = mkdtempSync(join(tmpdir(), 'fedrec-catalogue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const attributesOf = (catalogue: Catalogue, id: string): string[] =>
  Array.from(itemAttributes(catalogue, catalogue.itemIds.indexOf(id)), (a) => catalogue.attributes[a]!);

async function failure(promise: Promise<unknown>): Promise<DatasetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

const GENRE_FLAGS = (on: number[]) => Array.from({ length: 19 }, (_, g) => (on.includes(g) ? 1 : 0)).join('|');

describe('catalogue loaders', () => {
  it('reads S3-Rec item2attributes.json: numeric ids become attribute:ID, strings stay, an empty list is allowed', async () => {
    const path = file('item2attributes.json', '{"4": [1, 2, 3], "83": [4, 1],\n "9": ["brand:Acme"], "12": []}');
    const catalogue = await loadCatalogue(parseCatalogueSpec(`attributes-json:${path}`));
    expect(catalogue.itemIds).toEqual(['4', '83', '9', '12']);
    expect(attributesOf(catalogue, '83')).toEqual(['attribute:1', 'attribute:4']);
    expect(attributesOf(catalogue, '9')).toEqual(['brand:Acme']);
    expect(attributesOf(catalogue, '12')).toEqual([]);
  });

  it('names the file and line of garbled JSON, and what it expected', async () => {
    const path = file('garbled.json', '{"4": [1, 2],\n"83": [4,, 5]}');
    const error = await failure(loadCatalogue({ kind: 'attributes-json', path }));
    expect(error.code).toBe('PARSE');
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/garbled\.json:2: expected an attribute \(an integer id or a string\), got ", 5\]}"/);
    const twice = await failure(loadCatalogue({ kind: 'attributes-json', path: file('twice.json', '{"4": [1],\n\n"4": [2]}') }));
    expect(twice.message).toMatch(/twice\.json:3: expected each item once, got "a second entry for \\"4\\""/);
    const cut = await failure(loadCatalogue({ kind: 'attributes-json', path: file('cut.json', '{"4": [1, 2') }));
    expect(cut.message).toMatch(/cut\.json:1: expected ',' or ']' in an attribute array, got the end of the file/);
  });

  it('reads MovieLens u.item: genres, decade and year; a bad flag names its line and genre', async () => {
    const path = file(
      'u.item',
      [
        `1|Toy Story (1995)|01-Jan-1995||http://x|${GENRE_FLAGS([3, 4, 5])}`,
        `2|Dated on a one-digit day|4-Feb-1971||http://y|${GENRE_FLAGS([8])}`,
        `3|Unknown (????)|||http://z|${GENRE_FLAGS([0])}`,
      ].join('\n') + '\n',
    );
    const catalogue = await loadCatalogue(parseCatalogueSpec(`movielens:${path}`));
    expect(attributesOf(catalogue, '1')).toEqual(['decade:1990s', 'genre:Animation', "genre:Children's", 'genre:Comedy']);
    expect(attributesOf(catalogue, '2')).toEqual(['decade:1970s', 'genre:Drama']);
    expect(attributesOf(catalogue, '3')).toEqual(['genre:unknown']);
    expect(Array.from(catalogue.numeric['year']!)).toEqual([1995, 1971, NaN]);

    const bad = file('bad.item', `1|A|01-Jan-1995||u|${GENRE_FLAGS([])}\n2|B|01-Jan-1995||u|${GENRE_FLAGS([]).replace(/\|0$/, '|x')}\n`);
    const error = await failure(loadCatalogue({ kind: 'movielens', path: bad }));
    expect(error.message).toMatch(/bad\.item:2: expected a 0\/1 flag for genre Western \(field 24\), got "x"/);
  });

  it('reads a CSV with or without a header: kinds as written, name=number numeric, several lines per item, items without attributes', async () => {
    const path = file('products.csv', 'sku,attributes\nsku-1,brand:Acme,category:lips,price=12.50\nsku-2\n"sku,3",tag:gift\nsku-1,tag:vegan\n');
    const catalogue = await loadCatalogue(parseCatalogueSpec(`csv:${path}`));
    expect(catalogue.itemIds).toEqual(['sku-1', 'sku-2', 'sku,3']);
    expect(attributesOf(catalogue, 'sku-1')).toEqual(['brand:Acme', 'category:lips', 'tag:vegan']);
    expect(attributesOf(catalogue, 'sku-2')).toEqual([]);
    expect(Array.from(catalogue.numeric['price']!)).toEqual([12.5, NaN, NaN]);

    const headless = await loadCatalogue({ kind: 'csv', path: file('headless.tsv', 'a\tx\nb\ty\n') });
    expect(headless.itemIds).toEqual(['a', 'b']);

    const error = await failure(loadCatalogue({ kind: 'csv', path: file('bad.csv', 'a,x\nb,price=cheap\n') }));
    expect(error.message).toMatch(/bad\.csv:2: expected a finite number for price, got "cheap"/);
    const conflict = await failure(loadCatalogue({ kind: 'csv', path: file('conflict.csv', 'a,price=1\na,price=2\n') }));
    expect(conflict.message).toMatch(/conflict\.csv:2: expected the same price as an earlier line for item a \(1\)/);
  });

  it('refuses a missing file, an empty one, and a spec it cannot read', async () => {
    expect((await failure(loadCatalogue({ kind: 'csv', path: join(dir, 'nope.csv') }))).code).toBe('NOT_FOUND');
    expect((await failure(loadCatalogue({ kind: 'csv', path: file('empty.csv', '\n\n') }))).code).toBe('EMPTY');
    expect(() => parseCatalogueSpec('xml:items.xml')).toThrow(/expected a catalogue kind of attributes-json, movielens, csv, got "xml"/);
    expect(() => parseCatalogueSpec('csv:')).toThrow(/expected a path after 'csv:'/);
    expect(parseCatalogueSpec('csv:C:\\shop\\items.csv')).toEqual({ kind: 'csv', path: 'C:\\shop\\items.csv' });
  });

  it('aligns a catalogue to a population’s item ids, and refuses one that shares none', async () => {
    const path = file('align.csv', 'b,color:red\na,color:blue\nz,color:green\n');
    const { catalogue, matched, missing, unused } = await loadCatalogueFor({ kind: 'csv', path }, ['a', 'b', 'c']);
    expect(catalogue.itemIds).toEqual(['a', 'b', 'c']);
    expect(attributesOf(catalogue, 'a')).toEqual(['color:blue']);
    expect({ matched, missing, unused }).toEqual({ matched: 2, missing: ['c'], unused: 1 });
    const error = await failure(loadCatalogueFor({ kind: 'csv', path }, ['1', '2']));
    expect(error.code).toBe('MISMATCH');
  });

  it('gives a synthetic population’s categories and styles as attributes, the ones its shoppers choose by', () => {
    const population = new SyntheticPopulation({ shoppers: 10, items: 60, categories: 4, stylesPerCategory: 3, seed: 'catalogue' });
    const catalogue = syntheticCatalogue(population);
    expect(catalogue.itemIds).toHaveLength(60);
    for (let item = 0; item < 60; item++) {
      const [category, style] = attributesOf(catalogue, String(item));
      expect(category).toBe(`category:${population.itemCategories[item]}`);
      expect(style).toMatch(new RegExp(`^style:${population.itemCategories[item]}\\.[0-2]$`));
    }
    expect(new Set(catalogue.attributes.filter((a) => a.startsWith('style:'))).size).toBe(12);
  });
});
