import type { ShoppingEvent } from '@fedrec/core';
import { ShopperClientError } from '../shopper/shopper-client-error.js';
import { applyRetention, resolveRetention, withinAge } from './retention-policy.js';
import type { ShopperRecordKey, ShopperRecords, ShopperStore, ShopperStoreOptions } from './shopper-store.js';
import { toStoredEvent } from './stored-records.js';
import { guardRefusal, type WriteGuard } from './write-guard.js';

/**
 * A store that keeps everything in memory: gone when the page or process
 * ends. For tests, and for shoppers who should leave no trace on the device.
 *
 * Records are deep-copied on the way in and out (`structuredClone`), so a
 * caller mutating an object cannot change what is stored — the same
 * behaviour as the persistent stores. Nothing is awaited between a guard's
 * check and its write, so each change is one atomic step. It offers no
 * participant lock or change channel: clients in one process share it as
 * they would share any object.
 *
 * @example
 * const client = await createClient({ storage: createMemoryStore({ retention: { maxEvents: 200 } }), consent: 'local' });
 */
export function createMemoryStore(options: ShopperStoreOptions = {}): ShopperStore {
  const retention = resolveRetention(options.retention);
  const now = options.now ?? Date.now;
  let events: ShoppingEvent[] = [];
  const records = new Map<ShopperRecordKey, unknown>();
  let generation = 0;
  let closed = false;
  const open = (): void => {
    if (closed) throw new ShopperClientError('STORE_CLOSED', 'the memory store was used after close()');
  };
  const check = (guard: WriteGuard | undefined): void => {
    const refusal = guardRefusal(guard, { generation, consent: records.get('consent') });
    if (refusal !== null) throw refusal;
  };

  return {
    retention,
    async appendEvent(event, guard) {
      open();
      check(guard);
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
    async writeRecord<K extends ShopperRecordKey>(key: K, value: ShopperRecords[K], guard?: WriteGuard) {
      open();
      check(guard);
      records.set(key, structuredClone(value));
    },
    async updateRecord<K extends ShopperRecordKey>(key: K, change: (current: unknown) => ShopperRecords[K] | undefined, guard?: WriteGuard) {
      open();
      check(guard);
      const current = records.get(key);
      const next = change(current === undefined ? undefined : structuredClone(current));
      if (next !== undefined) records.set(key, structuredClone(next));
    },
    async deleteRecord(key) {
      open();
      records.delete(key);
    },
    async readGeneration() {
      open();
      return generation;
    },
    async clear() {
      open();
      events = [];
      records.clear();
      generation += 1;
      return generation;
    },
    async close() {
      closed = true;
    },
  };
}
