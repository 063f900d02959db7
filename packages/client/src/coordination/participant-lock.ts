/**
 * The device's one place in training rounds. A browser runs one client per
 * tab, all sharing one store (one personal ε ledger): were each to take part,
 * one device would send several updates per round while every tab reports
 * its own share. So the clients that share a store take turns: one holds the
 * lock and takes part; the others wait, and one of them takes over when the
 * holder gives the lock up or its tab closes.
 *
 * Stores that can be shared by several clients at once provide one (the
 * IndexedDB store, over the Web Locks API); without one, a client takes part
 * straight away (one process, one participant).
 */
export interface ParticipantLock {
  /** The lock's name: every client of one store asks for the same one. */
  readonly name: string;
  /**
   * Resolves once this client holds the lock, with a function that gives it
   * up. If another client holds it, calls `onWait` once the request is
   * queued and waits behind the holder, for as long as that one lives (the
   * caller relies on one of the two happening promptly: it tells the other
   * clients what it chose only then). Rejects with an `AbortError` if
   * `signal` aborts first.
   */
  acquire(signal: AbortSignal, onWait?: () => void): Promise<() => void>;
}
