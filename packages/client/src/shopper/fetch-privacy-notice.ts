import { privacyNoticeSchema, type PrivacyNotice } from '@fedrec/core/protocol';
import { revalidatingGet } from './revalidating-get.js';
import { ShopperClientError } from './shopper-client-error.js';

/** What `GET /privacy-notice` said: the notice, or that the version held is current (304). */
export type PrivacyNoticeAnswer = { readonly kind: 'notice'; readonly notice: PrivacyNotice } | { readonly kind: 'unchanged' };

/**
 * Asks the server for its privacy notice (`GET /privacy-notice`), offering
 * the version held (If-None-Match), and validates the answer against the
 * schema in `@fedrec/core/protocol`. Like `GET /model`, the request carries
 * nothing about the shopper. Rejects with `NOTICE_UNAVAILABLE` when the
 * server cannot be reached, answers an error (404: it publishes none), or
 * sends something that is not a notice.
 */
export async function fetchPrivacyNotice(serverUrl: string, heldVersion: string | null, doFetch: typeof fetch = globalThis.fetch): Promise<PrivacyNoticeAnswer> {
  const response = await revalidatingGet(serverUrl, '/privacy-notice', heldVersion, 'NOTICE_UNAVAILABLE', doFetch);
  if (response.status === 304 && heldVersion !== null) return { kind: 'unchanged' };
  if (!response.ok) {
    await response.body?.cancel();
    throw new ShopperClientError('NOTICE_UNAVAILABLE', `GET /privacy-notice answered HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new ShopperClientError('NOTICE_UNAVAILABLE', `GET /privacy-notice sent no JSON: ${error instanceof Error ? error.message : 'network error'}`, { cause: error });
  }
  const parsed = privacyNoticeSchema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const path = first === undefined ? '' : first.path.map(String).join('.');
    throw new ShopperClientError('NOTICE_UNAVAILABLE', `GET /privacy-notice sent an invalid notice (${path || 'notice'}: ${first?.message ?? 'invalid'})`, { path });
  }
  return { kind: 'notice', notice: parsed.data };
}
