export type ShopperClientErrorCode =
  /** A store could not read or write (quota, permissions, a closed database). */
  | 'STORAGE_FAILED'
  /**
   * The stored privacy ledger is unreadable. The client refuses to start
   * rather than start the shopper's ε budget afresh; `forget()` clears it.
   */
  | 'STORAGE_CORRUPT'
  /** The store was used after `close()`. */
  | 'STORE_CLOSED'
  /**
   * No shared model: none was given, `GET /model` failed (or there is no
   * `serverUrl`), and none is stored on the device, or the stored one is
   * unusable (`path` names its first bad field, e.g. `model.values.3`).
   */
  | 'MODEL_UNAVAILABLE'
  /**
   * The on-device recommender needs the shop's catalogue, the server cannot
   * give it (unreachable, an HTTP error, an invalid catalogue) and the copy
   * stored on the device is unusable (`path` names its first bad field,
   * e.g. `catalogue.items.3.attributes.0`). Nothing else stored is touched;
   * the next catalogue received replaces the bad copy.
   */
  | 'CATALOGUE_UNAVAILABLE'
  /**
   * In `offline` events: a request to the server failed (no network, the
   * server down, an HTTP error, a bad answer); the message says which
   * request and why. The client goes on with what it has on the device.
   */
  | 'SERVER_UNREACHABLE'
  /**
   * `GET /privacy-notice` failed (unreachable, an HTTP error, not a valid
   * notice). A shopper who chose `contribute` does not contribute until the
   * client holds the notice they consented under.
   */
  | 'NOTICE_UNAVAILABLE'
  /** The client was used after `close()`. */
  | 'CLIENT_CLOSED'
  /**
   * A write was refused because the store was cleared (`forget()`, perhaps
   * in another tab) after the write was decided: nothing was written.
   */
  | 'STORE_FORGOTTEN'
  /** A write was refused because the stored consent (perhaps changed in another tab) does not allow it: nothing was written. */
  | 'CONSENT_WITHDRAWN'
  /** Charging a round would take the device's ε above its personal budget: nothing was charged, nothing is sent. */
  | 'BUDGET_EXCEEDED';

/**
 * A failure of the shopper client or its storage, with a stable `code`.
 * Messages name what failed and why; they never carry the shopper's events.
 */
export class ShopperClientError extends Error {
  override readonly name = 'ShopperClientError';

  /** For `STORAGE_CORRUPT` over a stored record: the dotted path of its first bad field (`privacy.updates.3.epsilon`). */
  readonly path: string | undefined;

  constructor(
    readonly code: ShopperClientErrorCode,
    message: string,
    options?: { readonly cause?: unknown; readonly path?: string },
  ) {
    super(message, options);
    this.path = options?.path;
  }
}

/** A background failure as the `error` event reports it: anything not already a `ShopperClientError` is a storage failure. */
export function toShopperClientError(error: unknown): ShopperClientError {
  if (error instanceof ShopperClientError) return error;
  return new ShopperClientError('STORAGE_FAILED', error instanceof Error ? error.message : 'unknown failure', { cause: error });
}
