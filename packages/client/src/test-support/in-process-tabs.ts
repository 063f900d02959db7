import type { ParticipantLock } from '../coordination/participant-lock.js';
import type { ChangeChannel, ChangeEndpoint, StoreChange } from '../coordination/store-change.js';
import type { ShopperStore } from '../storage/shopper-store.js';

/**
 * Several clients in one process sharing one store, the way a browser's tabs
 * share IndexedDB: a participant lock with the Web Locks semantics the
 * IndexedDB store relies on (an `ifAvailable` try, then a FIFO queue that an
 * abort leaves; the holder releases explicitly), and a change channel that
 * reaches every other endpoint but not the sender's own.
 *
 * A browser delivers lock requests and channel messages over separate
 * channels, with no order between them. The harness lets a test play out
 * the orders a browser allows but seldom shows: a tab's lock requests can be
 * held back until a promise settles (`gateLockRequests`), and the changes
 * posted to a tab can be held back until `deliverChanges` (`holdChanges`).
 */
export interface InProcessTabs {
  /** A tab: the shared store, with this tab's end of the lock and channel. */
  tab(name: string): InProcessTab;
  /** The tab holding the participant lock, or null. */
  readonly holder: string | null;
  /** The tabs queued for the lock, in order. */
  readonly waiting: readonly string[];
}

export interface InProcessTab {
  readonly name: string;
  readonly store: ShopperStore;
  /** This tab's lock requests (made from now on) reach the lock only once `until` settles, in the order they were made. */
  gateLockRequests(until: Promise<unknown>): void;
  /** Changes posted to this tab from now on wait until `deliverChanges()`. */
  holdChanges(): void;
  /** Delivers the held changes, in order, and stops holding. */
  deliverChanges(): void;
  /** Every change delivered to this tab so far. */
  readonly delivered: readonly StoreChange[];
}

function abortError(): DOMException {
  return new DOMException('the lock request was aborted', 'AbortError');
}

export function createInProcessTabs(store: ShopperStore, lockName = 'fedrec:participant:in-process'): InProcessTabs {
  let holder: { readonly tab: string } | null = null;
  const queue: { readonly tab: string; readonly grant: () => void }[] = [];
  const endpoints = new Set<{ readonly tab: InProcessTabState; readonly listener: (change: StoreChange) => void }>();

  interface InProcessTabState {
    readonly name: string;
    gate: Promise<unknown>;
    held: (() => void)[] | null;
    readonly delivered: StoreChange[];
  }

  /** Grants the lock to the next request in the queue, as the browser does when its holder releases it. */
  function grantNext(): void {
    if (holder !== null) return;
    const next = queue.shift();
    next?.grant();
  }

  function lockFor(state: InProcessTabState): ParticipantLock {
    return {
      name: lockName,
      acquire: (signal, onWait) =>
        new Promise<() => void>((resolve, reject) => {
          const arrive = (): void => {
            if (signal.aborted) {
              reject(abortError());
              return;
            }
            const entry = { tab: state.name };
            const release = (): void => {
              if (holder !== entry) return;
              holder = null;
              grantNext();
            };
            if (holder === null && queue.length === 0) {
              holder = entry;
              resolve(release);
              return;
            }
            onWait?.();
            const waiter = {
              tab: state.name,
              grant: () => {
                signal.removeEventListener('abort', onAbort);
                holder = entry;
                resolve(release);
              },
            };
            const onAbort = (): void => {
              const index = queue.indexOf(waiter);
              if (index >= 0) queue.splice(index, 1);
              reject(abortError());
            };
            signal.addEventListener('abort', onAbort, { once: true });
            queue.push(waiter);
          };
          // In request order, once the gate (if any) has opened.
          state.gate = state.gate.then(arrive, arrive);
        }),
    };
  }

  function channelFor(state: InProcessTabState): ChangeChannel {
    return {
      open(listener): ChangeEndpoint {
        const endpoint = { tab: state, listener };
        endpoints.add(endpoint);
        return {
          post(change) {
            for (const other of endpoints) {
              if (other === endpoint) continue;
              const deliver = (): void => {
                if (!endpoints.has(other)) return;
                other.tab.delivered.push(change);
                other.listener(structuredClone(change));
              };
              // Like BroadcastChannel: never within the sender's call.
              if (other.tab.held !== null) other.tab.held.push(deliver);
              else queueMicrotask(deliver);
            }
          },
          close() {
            endpoints.delete(endpoint);
          },
        };
      },
    };
  }

  return {
    tab(name) {
      const state: InProcessTabState = { name, gate: Promise.resolve(), held: null, delivered: [] };
      return {
        name,
        // Closing a tab closes its own connection only, as with IndexedDB: the shared store stays open.
        store: { ...store, participantLock: lockFor(state), changes: channelFor(state), close: () => Promise.resolve() },
        gateLockRequests(until) {
          state.gate = Promise.all([state.gate, until.catch(() => undefined)]);
        },
        holdChanges() {
          state.held ??= [];
        },
        deliverChanges() {
          const held = state.held ?? [];
          state.held = null;
          for (const deliver of held) deliver();
        },
        get delivered() {
          return state.delivered;
        },
      };
    },
    get holder() {
      return holder?.tab ?? null;
    },
    get waiting() {
      return queue.map((waiter) => waiter.tab);
    },
  };
}
