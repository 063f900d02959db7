import type { ParticipantLock } from '../coordination/participant-lock.js';
import type { FedRecClient } from '../transport/fedrec-client.js';

/**
 * A client's claim on the device's one place in training rounds: `take()`
 * waits for the store's participant lock (at once without one) and only
 * then starts the transport; `leave()` stops the transport and gives the
 * lock up, or stops waiting for it. The transport never runs without the
 * lock, so the server sees one client per device, whatever the tab count.
 */
export class ParticipantSlot {
  readonly #lock: ParticipantLock | undefined;
  readonly #onError: (error: unknown) => void;
  readonly #onWait: () => void;
  #claim: AbortController | null = null;
  #waiting = false;
  #release: (() => void) | null = null;
  #transport: FedRecClient | null = null;

  constructor(lock: ParticipantLock | undefined, handlers: { readonly onError: (error: unknown) => void; readonly onWait: () => void }) {
    this.#lock = lock;
    this.#onError = handlers.onError;
    this.#onWait = handlers.onWait;
  }

  /** Whether this client wants the place (holding it or waiting for it). */
  get claimed(): boolean {
    return this.#claim !== null;
  }

  /** The running transport: only while this client holds the place. */
  get transport(): FedRecClient | null {
    return this.#transport;
  }

  /** Whether this client is waiting while another (tab) takes part for the device. */
  get waiting(): boolean {
    return this.#waiting;
  }

  /** Claims the place; `start` creates and starts the transport once it is this client's. No-op while claimed. */
  take(start: () => FedRecClient): void {
    if (this.#claim !== null) return;
    const claim = new AbortController();
    this.#claim = claim;
    const begin = (release: (() => void) | null): void => {
      // Given up while waiting: pass the lock straight on.
      if (claim.signal.aborted) {
        release?.();
        return;
      }
      this.#waiting = false;
      this.#release = release;
      this.#transport = start();
    };
    if (this.#lock === undefined) {
      begin(null);
      return;
    }
    const wait = (): void => {
      if (claim.signal.aborted) return;
      this.#waiting = true;
      this.#onWait();
    };
    this.#lock.acquire(claim.signal, wait).then(begin, (error: unknown) => {
      if (claim.signal.aborted) return;
      // Without the lock this client stays out of rounds: better no participant than two.
      this.#waiting = false;
      if (this.#claim === claim) this.#claim = null;
      this.#onError(error);
    });
  }

  /** Stops the transport and gives the place up (or stops waiting). */
  leave(): void {
    const claim = this.#claim;
    if (claim === null) return;
    this.#claim = null;
    this.#waiting = false;
    claim.abort();
    const transport = this.#transport;
    this.#transport = null;
    transport?.stop();
    const release = this.#release;
    this.#release = null;
    release?.();
  }
}
