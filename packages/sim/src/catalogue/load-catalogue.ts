import { alignCatalogue } from '@fedrec/core/catalogue';
import type { AlignedCatalogue, Catalogue } from '@fedrec/core/catalogue';
import { DatasetError } from '../dataset/dataset-error.js';
import { loadAttributeCsv } from './attribute-csv.js';
import type { CatalogueSpec } from './catalogue-spec.js';
import { loadItemAttributesJson } from './item-attributes-json.js';
import { loadMovieLensItems } from './movielens-items.js';

/**
 * Load a catalogue file (see each loader for its format). A missing file is
 * `NOT_FOUND`, a garbled line `PARSE` with the file and line in the message.
 *
 * @example
 * const catalogue = await loadCatalogue(parseCatalogueSpec('movielens:ml-100k/u.item'));
 */
export async function loadCatalogue(spec: CatalogueSpec): Promise<Catalogue> {
  switch (spec.kind) {
    case 'attributes-json':
      return loadItemAttributesJson(spec.path);
    case 'movielens':
      return loadMovieLensItems(spec.path);
    case 'csv':
      return loadAttributeCsv(spec.path);
    default: {
      const kind: unknown = (spec as { kind: unknown }).kind;
      throw new DatasetError('BAD_SPEC', `expected kind 'attributes-json', 'movielens' or 'csv', got ${JSON.stringify(kind)}`);
    }
  }
}

/**
 * A catalogue file loaded and re-indexed to a population's items (ids as the
 * dataset names them). A catalogue that shares no id with the population is
 * almost certainly the wrong file (another numbering): `MISMATCH`.
 */
export async function loadCatalogueFor(spec: CatalogueSpec, itemIds: readonly string[]): Promise<AlignedCatalogue> {
  const aligned = alignCatalogue(await loadCatalogue(spec), itemIds);
  if (aligned.matched === 0 && itemIds.length > 0) {
    throw new DatasetError('MISMATCH', `none of the population's ${itemIds.length} item ids is in the catalogue (e.g. ${JSON.stringify(itemIds[0])}): is it the catalogue of another dataset or numbering?`, spec.path);
  }
  return aligned;
}
