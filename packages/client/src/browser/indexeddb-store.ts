import type { ShoppingEvent } from '@fedrec/core';
import { ShopperClientError } from '../shopper/shopper-client-error.js';
import { applyRetention, resolveRetention, withinAge } from '../storage/retention-policy.js';
import type { ShopperRecordKey, ShopperRecords, ShopperStore, ShopperStoreOptions } from '../storage/shopper-store.js';
import { parseStoredEvent, toStoredEvent } from '../storage/stored-records.js';

export interface IndexedDbStoreOptions extends ShopperStoreOptions {
  /** Database name. Default `fedrec-shopper`. */
  readonly name?: string;
  /** Default: the page's `indexedDB`. */
  readonly indexedDB?: IDBFactory;
}

export const DEFAULT_INDEXEDDB_NAME = 'fedrec-shopper';

/** Object stores: events under auto-incremented keys (so key order is write order), records under their names. */
const EVENTS = 'events';
const RECORDS = 'records';
const SCHEMA_VERSION = 1;

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
   * the transaction has committed (or rejects if it aborts).
   */
  async function transact<T>(what: string, stores: string[], mode: IDBTransactionMode, body: (tx: IDBTransaction, done: (value: T) => void) => void): Promise<T> {
    const db = await database();
    return new Promise<T>((resolve, reject) => {
      let result: T | undefined;
      let tx: IDBTransaction;
      try {
        tx = db.transaction(stores, mode);
      } catch (error) {
        reject(failed(what, error));
        return;
      }
      tx.oncomplete = () => resolve(result as T);
      tx.onerror = () => reject(failed(what, tx.error));
      tx.onabort = () => reject(failed(what, tx.error ?? new DOMException('transaction aborted', 'AbortError')));
      try {
        body(tx, (value) => {
          result = value;
        });
      } catch (error) {
        tx.abort();
        reject(failed(what, error));
      }
    });
  }

  return {
    retention,
    appendEvent: (event) =>
      transact<void>('append', [EVENTS], 'readwrite', (tx) => {
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
    writeRecord: <K extends ShopperRecordKey>(key: K, value: ShopperRecords[K]) =>
      transact<void>('write', [RECORDS], 'readwrite', (tx) => {
        tx.objectStore(RECORDS).put(value, key);
      }),
    deleteRecord: (key) =>
      transact<void>('delete', [RECORDS], 'readwrite', (tx) => {
        tx.objectStore(RECORDS).delete(key);
      }),
    clear: () =>
      transact<void>('clear', [EVENTS, RECORDS], 'readwrite', (tx) => {
        tx.objectStore(EVENTS).clear();
        tx.objectStore(RECORDS).clear();
      }),
    close: async () => {
      closed = true;
      const pending = opening;
      opening = null;
      if (pending !== null) (await pending.catch(() => null))?.close();
    },
  };
}
