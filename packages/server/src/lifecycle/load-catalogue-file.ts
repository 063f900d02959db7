import { readFile } from 'node:fs/promises';
import { catalogueToJson, parseCatalogueJson } from '@fedrec/core/catalogue';
import type { Catalogue } from '@fedrec/core/catalogue';
import { SavedStateError } from '@fedrec/core/state';
import type { ServedCatalogue } from '../http/http-routes.js';
import { ServerError } from '../server-error.js';

/**
 * Reads and checks `catalogueFile` before the server listens: a file that is
 * missing, garbled, edited after its version was computed, or for another
 * model (another item count) stops the start with `INVALID_CATALOGUE` naming
 * it, rather than serving clients a catalogue whose items are not the model's rows.
 */
export async function loadCatalogueFile(path: string, modelItems: number): Promise<ServedCatalogue> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown error';
    throw new ServerError('INVALID_CATALOGUE', `cannot read the catalogue file ${path} (${code})`);
  }
  let catalogue: Catalogue;
  try {
    catalogue = parseCatalogueJson(text);
  } catch (error) {
    if (error instanceof SavedStateError) throw new ServerError('INVALID_CATALOGUE', `${path}: ${error.message}`, [{ path: error.path, message: error.problem }]);
    throw error;
  }
  if (catalogue.itemIds.length !== modelItems) {
    throw new ServerError('INVALID_CATALOGUE', `${path} lists ${catalogue.itemIds.length} items, but the model has ${modelItems} rows: a catalogue's items are the model's rows`);
  }
  // Re-encoded from the parsed catalogue: what is served is exactly what was checked.
  return { json: Buffer.from(JSON.stringify(catalogueToJson(catalogue))), version: catalogue.version };
}
