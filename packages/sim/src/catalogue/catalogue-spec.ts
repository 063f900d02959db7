import { DatasetError, quote } from '../dataset/dataset-error.js';

/** The catalogue files `loadCatalogue` reads. */
export type CatalogueKind = 'attributes-json' | 'movielens' | 'csv';

export const CATALOGUE_KINDS: readonly CatalogueKind[] = ['attributes-json', 'movielens', 'csv'];

/**
 * Which catalogue file to load and how:
 * - `attributes-json`: S3-Rec's `item2attributes.json` (item id → attribute ids);
 * - `movielens`: MovieLens 100K's `u.item` (genres, release year);
 * - `csv`: `item,attribute[,attribute…]`, header optional, `name=number` for numeric attributes.
 */
export interface CatalogueSpec {
  readonly kind: CatalogueKind;
  readonly path: string;
}

/**
 * The CLI form, `KIND:PATH` (`attributes-json:data/Beauty_item2attributes.json`).
 * The kind ends at the first colon, so the path may hold colons.
 */
export function parseCatalogueSpec(text: string): CatalogueSpec {
  const colon = text.indexOf(':');
  const forms = CATALOGUE_KINDS.map((kind) => `${kind}:PATH`).join(', ');
  if (colon < 0) throw new DatasetError('BAD_SPEC', `expected ${forms}, got ${quote(text)}`);
  const kind = text.slice(0, colon).trim().toLowerCase();
  const path = text.slice(colon + 1);
  if (!(CATALOGUE_KINDS as readonly string[]).includes(kind)) throw new DatasetError('BAD_SPEC', `expected a catalogue kind of ${CATALOGUE_KINDS.join(', ')}, got ${quote(kind)} (forms: ${forms})`);
  if (path.trim() === '') throw new DatasetError('BAD_SPEC', `expected a path after '${kind}:', got ${quote(text)}`);
  return { kind: kind as CatalogueKind, path };
}
