import type { ShoppingEvent } from '@fedrec/core';
import { ShopperClientError } from '../shopper/shopper-client-error.js';
import { applyRetention, resolveRetention, withinAge } from './retention-policy.js';
import type { ShopperRecordKey, ShopperRecords, ShopperStore, ShopperStoreOptions } from './shopper-store.js';
import { toStoredEvent } from './stored-records.js';

/**
 * A store that keeps everything in memory: gone when the page or process
 * ends. For tests, and for shoppers who should leave no trace on the device.
 *
 * Records are deep-copied on the way in and out (`structuredClone`), so a
 * caller mutating an object cannot change what is stored — the same
 * behaviour as the persistent stores.
 *
 * @example
 * const client = await createClient({ storage: createMemoryStore({ retention: { maxEvents: 200 } }), consent: 'local' });
 */
export function createMemoryStore(options: ShopperStoreOptions = {}): ShopperStore {
  const retention = resolveRetention(options.retention);
  const now = options.now ?? Date.now;
  let events: ShoppingEvent[] = [];
  const records = new Map<ShopperRecordKey, unknown>();
  let closed = false;
  const open = (): void => {
    if (closed) throw new ShopperClientError('STORE_CLOSED', 'the memory store was used after close()');
  };

  return {
    retention,
    async appendEvent(event) {
      open();
      events = applyRetention([...events, toStoredEvent(event)], retention, now());
    },
    async readEvents() {
      open();
      const at = now();
      return events.filter((event) => withinAge(event, retention, at)).map((event) => ({ ...event }));
    },
    async readRecord(key) {
      open();
      const value = records.get(key);
      return value === undefined ? undefined : structuredClone(value);
    },
    async writeRecord<K extends ShopperRecordKey>(key: K, value: ShopperRecords[K]) {
      open();
      records.set(key, structuredClone(value));
    },
    async deleteRecord(key) {
      open();
      records.delete(key);
    },
    async clear() {
      open();
      events = [];
      records.clear();
    },
    async close() {
      closed = true;
    },
  };
}
