import type { SharedModel } from '@fedrec/core';
import { FormatError, decodeModel } from '@fedrec/core';
import { ShopperClientError } from './shopper-client-error.js';

/**
 * How long a model download may take before the server counts as unreachable:
 * a network that drops packets (rather than refusing) would otherwise keep
 * `recommend()` waiting instead of falling back to the stored model.
 */
export const MODEL_FETCH_TIMEOUT_MS = 30_000;

/**
 * Downloads the current shared model (`GET /model`) and verifies it
 * (checksum, shape, finite values). The request carries nothing about the
 * shopper: every device asks the same question.
 */
export async function fetchSharedModel(serverUrl: string, doFetch: typeof fetch = globalThis.fetch): Promise<SharedModel> {
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
  try {
    return decodeModel(bytes, { requireFinite: true });
  } catch (error) {
    if (error instanceof FormatError) throw new ShopperClientError('MODEL_UNAVAILABLE', `GET /model sent an invalid model file (${error.code})`, { cause: error });
    throw error;
  }
}
