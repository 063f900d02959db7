import type { ShopperClientEvents } from './shopper-client-events.js';
import { ShopperClientError } from './shopper-client-error.js';

/**
 * Whether the server answered the client's last request — `GET /model`, or
 * the round participant's connection and enrolment — told to the shop
 * as `offline` and `online` events, on changes only, so a page can show
 * "recommendations may be out of date" without being flooded by retries.
 */
export class ServerReachability {
  readonly #emit: <K extends keyof ShopperClientEvents>(event: K, payload: ShopperClientEvents[K]) => void;
  /** Null before the first request has settled. */
  #reachable: boolean | null = null;

  constructor(emit: <K extends keyof ShopperClientEvents>(event: K, payload: ShopperClientEvents[K]) => void) {
    this.#emit = emit;
  }

  /** The server answered; `modelVersion` is the version it serves. */
  answered(modelVersion: number): void {
    const wasOffline = this.#reachable === false;
    this.#reachable = true;
    if (wasOffline) this.#emit('online', { modelVersion });
  }

  /** A request to the server failed; `what` says which and why (`GET /model failed: fetch failed`). */
  failed(what: string, cause: unknown): void {
    if (this.#reachable === false) return;
    this.#reachable = false;
    this.#emit('offline', { error: new ShopperClientError('SERVER_UNREACHABLE', `the server cannot be reached: ${what}`, { cause }) });
  }
}
