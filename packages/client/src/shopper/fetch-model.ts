import type { SharedModel } from '@fedrec/core';
import { FormatError, decodeModel } from '@fedrec/core';
import { ShopperClientError } from './shopper-client-error.js';

/**
 * How long a model download may take before the server counts as unreachable:
 * a network that drops packets (rather than refusing) would otherwise keep
 * `recommend()` waiting instead of falling back to the stored model.
 */
export const MODEL_FETCH_TIMEOUT_MS = 30_000;

/** The header naming the catalogue version whose first products are the model's rows (the server's `CATALOGUE_VERSION_HEADER`). */
const CATALOGUE_VERSION_HEADER = 'x-fedrec-catalogue-version';

/** A model from `GET /model`, and the version of the catalogue naming its rows (null when the server did not say). */
export interface FetchedModel {
  readonly model: SharedModel;
  readonly catalogueVersion: string | null;
}

/**
 * Downloads the current shared model (`GET /model`) and verifies it
 * (checksum, shape, finite values). The request carries nothing about the
 * shopper: every device asks the same question.
 */
export async function fetchSharedModel(serverUrl: string, doFetch: typeof fetch = globalThis.fetch): Promise<FetchedModel> {
  let response: Response;
  try {
    response = await doFetch(new URL('/model', serverUrl).toString(), { method: 'GET', cache: 'no-store', signal: AbortSignal.timeout(MODEL_FETCH_TIMEOUT_MS) });
  } catch (error) {
    throw new ShopperClientError('MODEL_UNAVAILABLE', `GET /model failed: ${error instanceof Error ? error.message : 'network error'}`, { cause: error });
  }
  if (!response.ok) throw new ShopperClientError('MODEL_UNAVAILABLE', `GET /model answered HTTP ${response.status}`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new ShopperClientError('MODEL_UNAVAILABLE', `GET /model failed while downloading: ${error instanceof Error ? error.message : 'network error'}`, { cause: error });
  }
  const header = response.headers.get(CATALOGUE_VERSION_HEADER);
  // A content hash (16 hex digits) or nothing: anything else is not trusted to name a catalogue.
  const catalogueVersion = header !== null && /^[0-9a-f]{16}$/.test(header) ? header : null;
  try {
    return { model: decodeModel(bytes, { requireFinite: true }), catalogueVersion };
  } catch (error) {
    if (error instanceof FormatError) throw new ShopperClientError('MODEL_UNAVAILABLE', `GET /model sent an invalid model file (${error.code})`, { cause: error });
    throw error;
  }
}
