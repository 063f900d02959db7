import { readFile } from 'node:fs/promises';
import { catalogueToJson, parseCatalogueJson } from '@fedrec/core/catalogue';
import type { Catalogue } from '@fedrec/core/catalogue';
import { SavedStateError } from '@fedrec/core/state';
import type { ServedCatalogue } from '../http/http-routes.js';
import { ServerError } from '../server-error.js';

/**
 * Reads and checks `catalogueFile` before the server resumes its model: a
 * file that is missing, garbled or edited after its version was computed
 * stops the start with `INVALID_CATALOGUE` naming it. Whether it fits the
 * model (the same products in the same rows, perhaps more) is the resume's
 * check, since the checkpoint knows the model's products.
 */
export async function loadCatalogueFile(path: string): Promise<Catalogue> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown error';
    throw new ServerError('INVALID_CATALOGUE', `cannot read the catalogue file ${path} (${code})`);
  }
  try {
    return parseCatalogueJson(text);
  } catch (error) {
    if (error instanceof SavedStateError) throw new ServerError('INVALID_CATALOGUE', `${path}: ${error.message}`, [{ path: error.path, message: error.problem }]);
    throw error;
  }
}

/** The catalogue as `GET /catalogue` serves it, once its products are known to be the model's rows. */
export function serveCatalogue(path: string, catalogue: Catalogue, modelItems: number): ServedCatalogue {
  if (catalogue.itemIds.length !== modelItems) {
    throw new ServerError('INVALID_CATALOGUE', `${path} lists ${catalogue.itemIds.length} products, but the model has ${modelItems} rows: a catalogue's products are the model's rows`);
  }
  // Re-encoded from the parsed catalogue: what is served is exactly what was checked.
  return { json: Buffer.from(JSON.stringify(catalogueToJson(catalogue))), version: catalogue.version };
}
