import type { Catalogue } from '@fedrec/core/catalogue';
import { parseCatalogueJson } from '@fedrec/core/catalogue';
import { SavedStateError } from '@fedrec/core';
import { revalidatingGet } from './revalidating-get.js';
import { ShopperClientError } from './shopper-client-error.js';

/** What `GET /catalogue` said. */
export type CatalogueAnswer =
  /** 200: the catalogue, checked against its content hash. */
  | { readonly kind: 'catalogue'; readonly catalogue: Catalogue }
  /** 304: the version the client holds is current. */
  | { readonly kind: 'unchanged' }
  /** 404: this server has no catalogue; the client recommends as without one. */
  | { readonly kind: 'none' };

/**
 * Asks the server for its public catalogue (`GET /catalogue`), with
 * `If-None-Match` when the client holds a version, so an unchanged
 * catalogue costs one empty answer. Like `GET /model`, the request carries
 * nothing about the shopper. Rejects with `CATALOGUE_UNAVAILABLE` when the
 * server cannot be reached, answers another error, or sends a catalogue that
 * does not parse or whose contents do not match its version.
 */
export async function fetchCatalogue(serverUrl: string, heldVersion: string | null, doFetch: typeof fetch = globalThis.fetch): Promise<CatalogueAnswer> {
  const response = await revalidatingGet(serverUrl, '/catalogue', heldVersion, 'CATALOGUE_UNAVAILABLE', doFetch);
  if (response.status === 304) return { kind: 'unchanged' };
  if (response.status === 404) {
    await response.body?.cancel();
    return { kind: 'none' };
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ShopperClientError('CATALOGUE_UNAVAILABLE', `GET /catalogue answered HTTP ${response.status}`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new ShopperClientError('CATALOGUE_UNAVAILABLE', `GET /catalogue failed while downloading: ${error instanceof Error ? error.message : 'network error'}`, { cause: error });
  }
  try {
    return { kind: 'catalogue', catalogue: parseCatalogueJson(text) };
  } catch (error) {
    if (error instanceof SavedStateError) throw new ShopperClientError('CATALOGUE_UNAVAILABLE', `GET /catalogue sent an invalid catalogue (${error.message})`, { cause: error, path: error.path });
    throw error;
  }
}
