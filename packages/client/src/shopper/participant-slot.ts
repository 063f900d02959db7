import type { ParticipantLock } from '../coordination/participant-lock.js';
import type { RoundParticipant } from '../rounds/round-participant.js';

/** One `take()`: its lock request, and what leaving it waits for. */
interface Claim {
  readonly controller: AbortController;
  /** Resolves once the lock request has its answer: granted, queued behind another client, refused, or given up. */
  readonly placed: Promise<void>;
  readonly markPlaced: () => void;
  /** Set by `leave()`: the lock is handed on once this settles. */
  handOver: Promise<unknown>;
}

/**
 * A client's claim on the device's one place in training rounds: `take()`
 * waits for the store's participant lock (at once without one), asks
 * `admit` whether the client may still take part, and only then starts the
 * participant; `leave()` stops the participant and gives the lock up (or stops
 * waiting for it). The participant never runs without the lock, so the server
 * sees one client per device, whatever the tab count.
 *
 * The lock is the only thing that orders the clients: it is granted
 * independently of the messages they exchange, so a client granted the lock
 * may not yet have heard why the previous holder left (a deletion, a
 * withdrawal). Hence `leave(handOver)` keeps the lock until that change is
 * durable, and `admit` reads the store before the participant starts.
 */
export class ParticipantSlot {
  readonly #lock: ParticipantLock | undefined;
  readonly #onError: (error: unknown) => void;
  readonly #onWait: () => void;
  #claim: Claim | null = null;
  #waiting = false;
  #release: (() => void) | null = null;
  #participant: RoundParticipant | null = null;

  constructor(lock: ParticipantLock | undefined, handlers: { readonly onError: (error: unknown) => void; readonly onWait: () => void }) {
    this.#lock = lock;
    this.#onError = handlers.onError;
    this.#onWait = handlers.onWait;
  }

  /** Whether this client wants the place (holding it or waiting for it). */
  get claimed(): boolean {
    return this.#claim !== null;
  }

  /** The running round participant: only while this client holds the place. */
  get participant(): RoundParticipant | null {
    return this.#participant;
  }

  /** Whether this client is waiting while another (tab) takes part for the device. */
  get waiting(): boolean {
    return this.#waiting;
  }

  /**
   * Resolves once the current claim's lock request has its answer (granted,
   * or queued behind the holder), at once without a claim. A client that
   * tells the others it now wants the place (they then claim it too) waits
   * for this first, so that it is ahead of them in the lock's queue.
   */
  get placed(): Promise<void> {
    return this.#claim?.placed ?? Promise.resolve();
  }

  /**
   * Claims the place. Once it is this client's, `admit` runs (it may call
   * `leave()`, e.g. after reading that the store was cleared), then `start`
   * creates and starts the participant unless the claim was given up
   * meanwhile. No-op while claimed.
   */
  take(start: () => RoundParticipant, admit: () => Promise<void> = () => Promise.resolve()): void {
    if (this.#claim !== null) return;
    let markPlaced = (): void => {};
    const placed = new Promise<void>((resolve) => {
      markPlaced = resolve;
    });
    const claim: Claim = { controller: new AbortController(), placed, markPlaced, handOver: Promise.resolve() };
    this.#claim = claim;
    const { signal } = claim.controller;
    const begin = async (release: (() => void) | null): Promise<void> => {
      claim.markPlaced();
      // Given up while waiting: pass the lock on, once what made this client leave is durable.
      if (signal.aborted) {
        if (release !== null) void claim.handOver.then(release, release);
        return;
      }
      this.#waiting = false;
      this.#release = release;
      try {
        await admit();
        if (signal.aborted) return; // left meanwhile: leave() handed the lock on
        this.#participant = start();
      } catch (error) {
        if (signal.aborted) return;
        // Not knowing whether it may take part, this client stays out and lets another try.
        this.#release = null;
        if (this.#claim === claim) this.#claim = null;
        release?.();
        this.#onError(error);
      }
    };
    if (this.#lock === undefined) {
      void begin(null);
      return;
    }
    const wait = (): void => {
      claim.markPlaced();
      if (signal.aborted) return;
      this.#waiting = true;
      this.#onWait();
    };
    this.#lock.acquire(signal, wait).then(begin, (error: unknown) => {
      claim.markPlaced();
      if (signal.aborted) return;
      // Without the lock this client stays out of rounds: better no participant than two.
      this.#waiting = false;
      if (this.#claim === claim) this.#claim = null;
      this.#onError(error);
    });
  }

  /**
   * Stops the participant at once and gives the place up (or stops waiting).
   * The lock is handed on once `handOver` settles: pass the write that
   * records why this client leaves (a deletion, a withdrawal), so the client
   * that takes over reads it.
   */
  leave(handOver: Promise<unknown> = Promise.resolve()): void {
    const claim = this.#claim;
    if (claim === null) return;
    this.#claim = null;
    this.#waiting = false;
    claim.handOver = handOver;
    claim.controller.abort();
    claim.markPlaced();
    const participant = this.#participant;
    this.#participant = null;
    participant?.stop();
    const release = this.#release;
    this.#release = null;
    if (release !== null) void handOver.then(release, release);
  }
}
