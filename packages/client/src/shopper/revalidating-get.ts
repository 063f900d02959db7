import { MODEL_FETCH_TIMEOUT_MS } from './fetch-model.js';
import { ShopperClientError, type ShopperClientErrorCode } from './shopper-client-error.js';

/**
 * `GET path` on the server, offering the version the client holds
 * (`If-None-Match`), for the public documents a client keeps and
 * revalidates itself (the catalogue, the privacy notice). Like `GET /model`,
 * the request carries nothing about the shopper. A network failure or
 * timeout rejects with `code`; any answer, 304 and errors included, is the
 * caller's to read.
 */
export async function revalidatingGet(serverUrl: string, path: string, heldVersion: string | null, code: ShopperClientErrorCode, doFetch: typeof fetch): Promise<Response> {
  try {
    return await doFetch(new URL(path, serverUrl).toString(), {
      method: 'GET',
      // The client revalidates by its stored version: the browser's HTTP cache would be a second, unmanaged copy.
      cache: 'no-store',
      headers: heldVersion === null ? {} : { 'if-none-match': `"${heldVersion}"` },
      signal: AbortSignal.timeout(MODEL_FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new ShopperClientError(code, `GET ${path} failed: ${error instanceof Error ? error.message : 'network error'}`, { cause: error });
  }
}
