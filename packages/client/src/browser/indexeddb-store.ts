import type { ShoppingEvent } from '@fedrec/core';
import { ShopperClientError } from '../shopper/shopper-client-error.js';
import { applyRetention, resolveRetention, withinAge } from '../storage/retention-policy.js';
import type { ShopperRecordKey, ShopperRecords, ShopperStore, ShopperStoreOptions } from '../storage/shopper-store.js';
import { parseStoredEvent, toStoredEvent } from '../storage/stored-records.js';
import { guardRefusal, parseGeneration, type WriteGuard } from '../storage/write-guard.js';
import { broadcastChangeChannel } from './broadcast-change-channel.js';
import { webLocksParticipantLock } from './web-locks-participant-lock.js';

export interface IndexedDbStoreOptions extends ShopperStoreOptions {
  /** Database name. Default `fedrec-shopper`. */
  readonly name?: string;
  /** Default: the page's `indexedDB`. */
  readonly indexedDB?: IDBFactory;
  /**
   * Whether the tabs sharing this database coordinate: one participant in
   * training rounds at a time (Web Locks) and changes told to every tab
   * (BroadcastChannel), each where the browser has it. Default true.
   */
  readonly coordinate?: boolean;
}

export const DEFAULT_INDEXEDDB_NAME = 'fedrec-shopper';

/**
 * Object stores: events under auto-incremented keys (so key order is write
 * order), records under their names, and (since version 2) the store's
 * generation under `meta`. The generation is kept apart from the records so
 * that a deletion leaves no record behind: it only counts deletions.
 */
const EVENTS = 'events';
const RECORDS = 'records';
const META = 'meta';
const GENERATION = 'generation';
const SCHEMA_VERSION = 2;

function failed(what: string, error: unknown): ShopperClientError {
  const reason = error instanceof Error || error instanceof DOMException ? `${error.name}: ${error.message}` : 'unknown error';
  return new ShopperClientError('STORAGE_FAILED', `IndexedDB ${what} failed (${reason})`, { cause: error });
}

/**
 * A store in the browser's IndexedDB, in the shop's origin only.
 *
 * Every change is one transaction, and a write resolves only when its
 * transaction has completed: when `appendEvent` resolves the event and the
 * retention clean-up are both on disk, and when `clear` resolves nothing is
 * left. Retention is applied inside the write's transaction, so no reader
 * ever sees more events than the policy allows.
 *
 * Every tab of the shop's origin shares the database. A write guard is
 * checked in the write's own transaction (which also covers the generation
 * and the consent record, so IndexedDB serialises it with any `clear()` or
 * consent change from another tab); `updateRecord` is one readwrite
 * transaction. The store also brings the tabs' coordination: the participant
 * lock `fedrec:participant:<name>` (Web Locks) and the change channel
 * `fedrec:changes:<name>` (BroadcastChannel).
 *
 * @example
 * import { createClient } from '@fedrec/client';
 * import { createIndexedDbStore } from '@fedrec/client/browser';
 * const client = await createClient({ serverUrl: location.origin, storage: createIndexedDbStore(), consent: 'off' });
 */
export function createIndexedDbStore(options: IndexedDbStoreOptions = {}): ShopperStore {
  const retention = resolveRetention(options.retention);
  const now = options.now ?? Date.now;
  const name = options.name ?? DEFAULT_INDEXEDDB_NAME;
  let opening: Promise<IDBDatabase> | null = null;
  let closed = false;

  function database(): Promise<IDBDatabase> {
    if (closed) return Promise.reject(new ShopperClientError('STORE_CLOSED', `the IndexedDB store '${name}' was used after close()`));
    opening ??= new Promise<IDBDatabase>((resolve, reject) => {
      const factory = options.indexedDB ?? globalThis.indexedDB;
      if (factory === undefined) {
        reject(new ShopperClientError('STORAGE_FAILED', 'IndexedDB is not available here (a private window, or not a browser)'));
        return;
      }
      const request = factory.open(name, SCHEMA_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(EVENTS)) db.createObjectStore(EVENTS, { autoIncrement: true });
        if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS);
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading or deleting the database must not be blocked by this connection.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      request.onerror = () => reject(failed('open', request.error));
      request.onblocked = () => reject(new ShopperClientError('STORAGE_FAILED', `IndexedDB '${name}' is blocked by another open tab`));
    });
    // A failed open can be retried by the next call.
    opening.catch(() => {
      opening = null;
    });
    return opening;
  }

  /**
   * Runs `body` in one transaction and resolves with what it produced once
   * the transaction has committed. It rejects if the transaction aborts: with
   * what `body` passed to `refuse` (which aborts it, so nothing is written),
   * or else with a STORAGE_FAILED error.
   */
  async function transact<T>(
    what: string,
    stores: string[],
    mode: IDBTransactionMode,
    body: (tx: IDBTransaction, done: (value: T) => void, refuse: (error: unknown) => void) => void,
  ): Promise<T> {
    const db = await database();
    return new Promise<T>((resolve, reject) => {
      let result: T | undefined;
      let refusal: { readonly error: unknown } | null = null;
      let tx: IDBTransaction;
      try {
        tx = db.transaction(stores, mode);
      } catch (error) {
        reject(failed(what, error));
        return;
      }
      const refuse = (error: unknown): void => {
        refusal ??= { error };
        try {
          tx.abort();
        } catch {
          // Already finished: it committed or aborted on its own, and its handlers report which.
        }
      };
      tx.oncomplete = () => resolve(result as T);
      tx.onerror = () => reject(refusal !== null ? refusal.error : failed(what, tx.error));
      tx.onabort = () => reject(refusal !== null ? refusal.error : failed(what, tx.error ?? new DOMException('transaction aborted', 'AbortError')));
      try {
        body(
          tx,
          (value) => {
            result = value;
          },
          refuse,
        );
      } catch (error) {
        refuse(failed(what, error));
      }
    });
  }

  /**
   * Calls `then` once `guard` is known to allow the write, reading the
   * generation and the consent record in `tx` itself (which must cover
   * RECORDS and META); otherwise refuses, so the transaction writes nothing.
   */
  function whenAllowed(tx: IDBTransaction, guard: WriteGuard | undefined, refuse: (error: unknown) => void, then: () => void): void {
    if (guard === undefined) {
      then();
      return;
    }
    const generation = tx.objectStore(META).get(GENERATION);
    const consent = tx.objectStore(RECORDS).get('consent');
    // Requests in one transaction complete in order: the generation is in by now.
    consent.onsuccess = () => {
      const refusal = guardRefusal(guard, { generation: parseGeneration(generation.result), consent: consent.result });
      if (refusal !== null) refuse(refusal);
      else then();
    };
  }

  const coordinate = options.coordinate ?? true;
  const participantLock = coordinate ? webLocksParticipantLock(`fedrec:participant:${name}`) : undefined;
  const changes = coordinate ? broadcastChangeChannel(`fedrec:changes:${name}`) : undefined;

  return {
    retention,
    ...(participantLock !== undefined ? { participantLock } : {}),
    ...(changes !== undefined ? { changes } : {}),
    appendEvent: (event, guard) =>
      transact<void>('append', [EVENTS, RECORDS, META], 'readwrite', (tx, _done, refuse) =>
        whenAllowed(tx, guard, refuse, () => {
          const events = tx.objectStore(EVENTS);
          const keysRequest = events.getAllKeys();
          const valuesRequest = events.getAll();
          valuesRequest.onsuccess = () => {
            const keys = keysRequest.result;
            const existing = valuesRequest.result.map((value: unknown, i) => {
              const parsed = parseStoredEvent(value);
              // A malformed entry has no time: give it one that any policy drops.
              return { key: keys[i] as IDBValidKey, time: parsed?.time ?? -Infinity, isNew: false };
            });
            const stored = toStoredEvent(event);
            const kept = applyRetention([...existing, { key: 0, time: stored.time, isNew: true }], retention, now());
            const keep = new Set(kept.filter((k) => !k.isNew).map((k) => k.key));
            for (const entry of existing) if (!keep.has(entry.key)) events.delete(entry.key);
            if (kept.some((k) => k.isNew)) events.add(stored);
          };
        }),
      ),
    readEvents: () =>
      transact<ShoppingEvent[]>('read', [EVENTS], 'readonly', (tx, done) => {
        const request = tx.objectStore(EVENTS).getAll();
        request.onsuccess = () => {
          const at = now();
          done(request.result.map(parseStoredEvent).filter((e): e is ShoppingEvent => e !== null && withinAge(e, retention, at)));
        };
      }),
    readRecord: (key) =>
      transact<unknown>('read', [RECORDS], 'readonly', (tx, done) => {
        const request = tx.objectStore(RECORDS).get(key);
        request.onsuccess = () => done(request.result);
      }),
    writeRecord: <K extends ShopperRecordKey>(key: K, value: ShopperRecords[K], guard?: WriteGuard) =>
      transact<void>('write', [RECORDS, META], 'readwrite', (tx, _done, refuse) =>
        whenAllowed(tx, guard, refuse, () => {
          tx.objectStore(RECORDS).put(value, key);
        }),
      ),
    updateRecord: <K extends ShopperRecordKey>(key: K, change: (current: unknown) => ShopperRecords[K] | undefined, guard?: WriteGuard) =>
      transact<void>('update', [RECORDS, META], 'readwrite', (tx, _done, refuse) =>
        whenAllowed(tx, guard, refuse, () => {
          const records = tx.objectStore(RECORDS);
          const request = records.get(key);
          request.onsuccess = () => {
            let next: ShopperRecords[K] | undefined;
            // Caught here: a throw inside a request's handler would abort the transaction and surface as an uncaught page error.
            try {
              next = change(request.result);
            } catch (error) {
              refuse(error);
              return;
            }
            if (next !== undefined) records.put(next, key);
          };
        }),
      ),
    deleteRecord: (key) =>
      transact<void>('delete', [RECORDS], 'readwrite', (tx) => {
        tx.objectStore(RECORDS).delete(key);
      }),
    readGeneration: () =>
      transact<number>('read', [META], 'readonly', (tx, done) => {
        const request = tx.objectStore(META).get(GENERATION);
        request.onsuccess = () => done(parseGeneration(request.result));
      }),
    clear: () =>
      transact<number>('clear', [EVENTS, RECORDS, META], 'readwrite', (tx, done) => {
        const meta = tx.objectStore(META);
        const request = meta.get(GENERATION);
        request.onsuccess = () => {
          const generation = parseGeneration(request.result) + 1;
          tx.objectStore(EVENTS).clear();
          tx.objectStore(RECORDS).clear();
          meta.put(generation, GENERATION);
          done(generation);
        };
      }),
    close: async () => {
      closed = true;
      const pending = opening;
      opening = null;
      if (pending !== null) (await pending.catch(() => null))?.close();
    },
  };
}
