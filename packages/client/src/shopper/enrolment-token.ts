import { enrol } from '../rounds/enrol.js';

/** A token this close to expiry is not reused: enrol afresh rather than be refused mid-connection. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * A token from `POST /enrol`, kept in memory only: a new page load (or the
 * tab that takes over the device's place) enrols afresh, so the server
 * cannot link one visit's updates to the next's. One tab at a time holds
 * the place, so the server still sees one client per device at a time.
 */
export class EnrolmentToken {
  readonly #options: { readonly enrolmentKey?: string; readonly fetch?: typeof fetch; readonly now: () => number };
  #token: { readonly token: string; readonly expiresAt: number } | null = null;

  constructor(options: { readonly enrolmentKey?: string; readonly fetch?: typeof fetch; readonly now: () => number }) {
    this.#options = options;
  }

  /** The token in memory while it has more than a minute left, else a new one from the server. */
  async fresh(serverUrl: string): Promise<string> {
    if (this.#token !== null && this.#token.expiresAt > this.#options.now() + EXPIRY_MARGIN_MS) return this.#token.token;
    const enrolled = await enrol(serverUrl, {
      ...(this.#options.enrolmentKey !== undefined ? { enrolmentKey: this.#options.enrolmentKey } : {}),
      ...(this.#options.fetch !== undefined ? { fetch: this.#options.fetch } : {}),
    });
    this.#token = { token: enrolled.token, expiresAt: enrolled.expiresAt };
    return enrolled.token;
  }

  /** The next connection enrols afresh (the server refused the token, or the client left rounds). */
  forget(): void {
    this.#token = null;
  }
}
