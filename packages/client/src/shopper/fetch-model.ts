import type { SharedModel } from '@fedrec/core';
import { FormatError, decodeModel } from '@fedrec/core';
import { ShopperClientError } from './shopper-client-error.js';

/**
 * Downloads the current shared model (`GET /model`) and verifies it
 * (checksum, shape, finite values). The request carries nothing about the
 * shopper: every device asks the same question.
 */
export async function fetchSharedModel(serverUrl: string, doFetch: typeof fetch = globalThis.fetch): Promise<SharedModel> {
  let response: Response;
  try {
    response = await doFetch(new URL('/model', serverUrl).toString(), { method: 'GET', cache: 'no-store' });
  } catch (error) {
    throw new ShopperClientError('MODEL_UNAVAILABLE', `GET /model failed: ${error instanceof Error ? error.message : 'network error'}`, { cause: error });
  }
  if (!response.ok) throw new ShopperClientError('MODEL_UNAVAILABLE', `GET /model answered HTTP ${response.status}`);
  try {
    return decodeModel(new Uint8Array(await response.arrayBuffer()), { requireFinite: true });
  } catch (error) {
    if (error instanceof FormatError) throw new ShopperClientError('MODEL_UNAVAILABLE', `GET /model sent an invalid model file (${error.code})`, { cause: error });
    throw error;
  }
}
