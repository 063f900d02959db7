import type { ShoppingEvent } from '@fedrec/core';
import { PrivacyLedger } from '@fedrec/core';
import type { ShopperRecords, ShopperStore, ShopperStoreOptions } from '../storage/shopper-store.js';
import { SHOPPER_RECORD_KEYS } from '../storage/shopper-store.js';

/**
 * The behaviour every `ShopperStore` must have, written without a test
 * framework so that the very same checks run under vitest in Node (memory and
 * file stores) and inside a real browser page (the IndexedDB store), where
 * they are bundled with esbuild and driven by playwright.
 */
export interface StoreHarness {
  /** Opens the store under test; opening the same `name` again reaches the same underlying storage. */
  open(name: string, options: ShopperStoreOptions): Promise<ShopperStore>;
  /** Whether data outlives `close()` (file, IndexedDB) or not (memory). */
  readonly persistent: boolean;
  /**
   * Whether two stores open on one `name` at the same time share their data
   * (IndexedDB: two tabs of one browser) rather than each keeping its own
   * copy (memory) or being unsupported (one file, two processes).
   */
  readonly shared?: boolean;
}

export interface StoreCheck {
  readonly name: string;
  run(harness: StoreHarness): Promise<void>;
}

class ContractFailure extends Error {
  override readonly name = 'ContractFailure';
}

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new ContractFailure(`${what}: expected ${e}, got ${a}`);
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new ContractFailure(what);
}

async function rejectsWithCode(promise: Promise<unknown>, code: string, what: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    const actual = (error as { code?: unknown }).code;
    if (actual === code) return;
    throw new ContractFailure(`${what}: expected code ${code}, got ${String(actual)}`);
  }
  throw new ContractFailure(`${what}: expected a rejection with code ${code}`);
}

/** A counter kept in the `userVector` record: what `updateRecord` checks increment. */
function counter(current: unknown): { values: number[]; modelVersion: number; historyKey: string } {
  const values = (current as { values?: unknown } | undefined)?.values;
  const n = Array.isArray(values) && typeof values[0] === 'number' ? values[0] : 0;
  return { values: [n + 1], modelVersion: 0, historyKey: 'counter' };
}

async function counted(store: ShopperStore): Promise<number> {
  const value = (await store.readRecord('userVector')) as { values?: number[] } | undefined;
  return value?.values?.[0] ?? 0;
}

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

/** A clock the checks move by hand. */
function manualClock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function event(item: number, type: ShoppingEvent['type'], time: number): ShoppingEvent {
  return { item, type, time };
}

function sampleRecords(): ShopperRecords {
  const ledger = new PrivacyLedger({ orders: [2, 4, 8] });
  ledger.record({ samplingRate: 1, noiseMultiplier: 3 });
  return {
    consent: 'contribute',
    userVector: { values: [0.25, -1.5, 3], modelVersion: 4, historyKey: '3:1767225600000' },
    privacy: {
      ledger: ledger.toJSON(),
      delta: 1e-5,
      updates: [
        { roundId: 7, time: T0, bytes: 1234, clipNorm: 0.5, clientNoiseMultiplier: 1.1, accountedNoiseMultiplier: 1.1, placement: 'local', epsilon: 2.5, delta: 1e-5, sent: true },
      ],
    },
    // Float32 values (what a model holds), so the round trip must keep them exactly.
    model: { version: 12, shape: { numItems: 2, dim: 1 }, values: Array.from(Float32Array.of(0.1, -2.5, 1e-7, 3)) },
    // A store keeps records as opaque JSON: the content hash is checked by the client on load, not here.
    catalogue: {
      format: 'fedrec-catalogue',
      formatVersion: 1,
      version: '0123456789abcdef',
      items: [
        { id: 'sku-1', attributes: ['brand:Acme', 'category:lips'], numeric: { price: 12.5 } },
        { id: 'sku-2', attributes: [] },
      ],
    },
  };
}

export const STORE_CONTRACT: readonly StoreCheck[] = [
  {
    name: 'starts empty',
    async run(h) {
      const store = await h.open('empty', {});
      try {
        same(await store.readEvents(), [], 'events of a new store');
        for (const key of SHOPPER_RECORD_KEYS) same(await store.readRecord(key), undefined, `record ${key} of a new store`);
      } finally {
        await store.close();
      }
    },
  },
  {
    name: 'returns appended events in order, with only item, type and time',
    async run(h) {
      const clock = manualClock();
      const store = await h.open('order', { now: clock.now });
      try {
        const extra = { ...event(3, 'view', T0), note: 'not stored' } as ShoppingEvent;
        await store.appendEvent(extra);
        await store.appendEvent(event(1, 'purchase', T0 + 1));
        await store.appendEvent(event(3, 'cart', T0 - 5));
        same(await store.readEvents(), [event(3, 'view', T0), event(1, 'purchase', T0 + 1), event(3, 'cart', T0 - 5)], 'events');
      } finally {
        await store.close();
      }
    },
  },
  {
    name: 'keeps only the newest maxEvents on write',
    async run(h) {
      const clock = manualClock();
      const store = await h.open('max-events', { now: clock.now, retention: { maxEvents: 3 } });
      try {
        for (let i = 0; i < 5; i++) await store.appendEvent(event(i, 'view', T0 + i));
        same((await store.readEvents()).map((e) => e.item), [2, 3, 4], 'items kept');
      } finally {
        await store.close();
      }
    },
  },
  {
    name: 'drops events older than maxAgeDays on write, and hides aged ones on read',
    async run(h) {
      const clock = manualClock();
      const store = await h.open('max-age', { now: clock.now, retention: { maxAgeDays: 10 } });
      try {
        await store.appendEvent(event(1, 'view', T0 - 11 * DAY)); // already too old: never stored
        await store.appendEvent(event(2, 'view', T0 - 9 * DAY));
        await store.appendEvent(event(3, 'view', T0));
        same((await store.readEvents()).map((e) => e.item), [2, 3], 'after writing');
        clock.advance(2 * DAY); // event 2 is now 11 days old, with no write since
        same((await store.readEvents()).map((e) => e.item), [3], 'after time passed');
        await store.appendEvent(event(4, 'cart', clock.now()));
        same((await store.readEvents()).map((e) => e.item), [3, 4], 'after the next write');
      } finally {
        await store.close();
      }
      if (h.persistent) {
        // The write above must have deleted event 2, not merely hidden it.
        const reopened = await h.open('max-age', { now: () => T0 - 9 * DAY, retention: { maxAgeDays: 10 } });
        try {
          same((await reopened.readEvents()).map((e) => e.item), [3, 4], 'what the storage holds');
        } finally {
          await reopened.close();
        }
      }
    },
  },
  {
    name: 'round-trips records, detached from the caller’s objects',
    async run(h) {
      const store = await h.open('records', {});
      try {
        const records = sampleRecords();
        const vector = { ...records.userVector, values: [...records.userVector.values] };
        await store.writeRecord('consent', records.consent);
        await store.writeRecord('userVector', vector);
        await store.writeRecord('privacy', records.privacy);
        await store.writeRecord('model', records.model);
        await store.writeRecord('catalogue', records.catalogue);
        vector.values[0] = 99; // must not reach the stored copy
        same(await store.readRecord('consent'), records.consent, 'consent');
        same(await store.readRecord('userVector'), records.userVector, 'user vector');
        same(await store.readRecord('privacy'), records.privacy, 'privacy');
        same(await store.readRecord('model'), records.model, 'model');
        same(await store.readRecord('catalogue'), records.catalogue, 'catalogue');
        await store.writeRecord('consent', 'off');
        same(await store.readRecord('consent'), 'off', 'overwritten consent');
        await store.deleteRecord('userVector');
        same(await store.readRecord('userVector'), undefined, 'deleted user vector');
      } finally {
        await store.close();
      }
    },
  },
  {
    name: 'clear() deletes every event and record',
    async run(h) {
      const clock = manualClock();
      const store = await h.open('clear', { now: clock.now });
      try {
        const records = sampleRecords();
        await store.appendEvent(event(5, 'purchase', T0));
        await store.writeRecord('consent', records.consent);
        await store.writeRecord('privacy', records.privacy);
        await store.writeRecord('model', records.model);
        await store.writeRecord('catalogue', records.catalogue);
        await store.clear();
        same(await store.readEvents(), [], 'events after clear');
        for (const key of SHOPPER_RECORD_KEYS) same(await store.readRecord(key), undefined, `record ${key} after clear`);
      } finally {
        await store.close();
      }
      if (h.persistent) {
        const reopened = await h.open('clear', { now: clock.now });
        try {
          same(await reopened.readEvents(), [], 'events after reopening');
          for (const key of SHOPPER_RECORD_KEYS) same(await reopened.readRecord(key), undefined, `record ${key} after reopening`);
        } finally {
          await reopened.close();
        }
      }
    },
  },
  {
    name: 'concurrent appends all land, within the retention policy',
    async run(h) {
      const clock = manualClock();
      const store = await h.open('concurrent', { now: clock.now, retention: { maxEvents: 15 } });
      try {
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.appendEvent(event(i, 'view', T0 + i))));
        const items = (await store.readEvents()).map((e) => e.item);
        same(items, Array.from({ length: 15 }, (_, i) => i + 5), 'items kept');
      } finally {
        await store.close();
      }
    },
  },
  {
    name: 'persists across close and reopen (persistent stores)',
    async run(h) {
      if (!h.persistent) return;
      const clock = manualClock();
      const first = await h.open('persist', { now: clock.now });
      const records = sampleRecords();
      await first.appendEvent(event(8, 'cart', T0));
      await first.writeRecord('privacy', records.privacy);
      await first.close();
      const second = await h.open('persist', { now: clock.now });
      try {
        same(await second.readEvents(), [event(8, 'cart', T0)], 'events after reopening');
        same(await second.readRecord('privacy'), records.privacy, 'privacy after reopening');
      } finally {
        await second.close();
      }
    },
  },
  {
    name: 'clear() moves the generation on and resolves with it',
    async run(h) {
      const store = await h.open('generation', {});
      try {
        same(await store.readGeneration(), 0, 'generation of a new store');
        same(await store.clear(), 1, 'what the first clear() resolves with');
        same(await store.readGeneration(), 1, 'generation after one clear()');
        same(await store.clear(), 2, 'what the second clear() resolves with');
      } finally {
        await store.close();
      }
      if (h.persistent) {
        const reopened = await h.open('generation', {});
        try {
          same(await reopened.readGeneration(), 2, 'generation after reopening');
        } finally {
          await reopened.close();
        }
      }
    },
  },
  {
    name: 'a write guarded with a generation from before clear() is refused with STORE_FORGOTTEN and writes nothing',
    async run(h) {
      const clock = manualClock();
      const store = await h.open('stale-generation', { now: clock.now });
      try {
        const before = await store.readGeneration();
        await store.appendEvent(event(1, 'view', T0), { generation: before });
        await store.writeRecord('consent', 'local', { generation: before });
        const after = await store.clear();
        let changed = false;
        await rejectsWithCode(store.appendEvent(event(2, 'view', T0), { generation: before }), 'STORE_FORGOTTEN', 'appendEvent');
        await rejectsWithCode(store.writeRecord('consent', 'contribute', { generation: before }), 'STORE_FORGOTTEN', 'writeRecord');
        await rejectsWithCode(
          store.updateRecord('userVector', (current) => ((changed = true), counter(current)), { generation: before }),
          'STORE_FORGOTTEN',
          'updateRecord',
        );
        check(!changed, 'updateRecord ran the change of a refused write');
        same(await store.readEvents(), [], 'events after the refused writes');
        for (const key of SHOPPER_RECORD_KEYS) same(await store.readRecord(key), undefined, `record ${key} after the refused writes`);
        // Writes decided after the clear() go ahead.
        await store.appendEvent(event(3, 'cart', T0), { generation: after });
        await store.updateRecord('userVector', counter, { generation: after });
        same((await store.readEvents()).map((e) => e.item), [3], 'events written under the new generation');
        same(await counted(store), 1, 'record written under the new generation');
      } finally {
        await store.close();
      }
    },
  },
  {
    name: 'a write guarded for a purpose needs the stored consent (or the default while none is stored), else CONSENT_WITHDRAWN',
    async run(h) {
      const clock = manualClock();
      const store = await h.open('guard-consent', { now: clock.now });
      try {
        const generation = await store.readGeneration();
        const storing = (defaultConsent: 'off' | 'local' | 'contribute') => ({ generation, purpose: 'storing' as const, defaultConsent });
        const contributing = { generation, purpose: 'contributing' as const, defaultConsent: 'contribute' as const };
        await rejectsWithCode(store.appendEvent(event(1, 'view', T0), storing('off')), 'CONSENT_WITHDRAWN', 'storing under the default off');
        await store.appendEvent(event(2, 'view', T0), storing('local'));
        await store.writeRecord('consent', 'local', { generation });
        // A stored choice wins over the writer's default.
        await rejectsWithCode(store.updateRecord('userVector', counter, contributing), 'CONSENT_WITHDRAWN', 'contributing under a stored local');
        await store.appendEvent(event(3, 'view', T0), storing('off'));
        await store.writeRecord('consent', 'contribute', { generation });
        await store.updateRecord('userVector', counter, contributing);
        await store.writeRecord('consent', 'off', { generation });
        await rejectsWithCode(store.appendEvent(event(4, 'view', T0), storing('contribute')), 'CONSENT_WITHDRAWN', 'storing under a stored off');
        await rejectsWithCode(store.writeRecord('userVector', counter(undefined), storing('contribute')), 'CONSENT_WITHDRAWN', 'writeRecord under a stored off');
        same((await store.readEvents()).map((e) => e.item), [2, 3], 'events stored');
        same(await counted(store), 1, 'the contributing write that was allowed');
      } finally {
        await store.close();
      }
    },
  },
  {
    name: 'updateRecord reads, changes and writes in one step; undefined or a throw writes nothing',
    async run(h) {
      const store = await h.open('update', {});
      try {
        let seen: unknown = 'not called';
        await store.updateRecord('consent', (current) => ((seen = current), 'local'));
        same(seen, undefined, 'what the change saw of a missing record');
        same(await store.readRecord('consent'), 'local', 'after the first update');
        await store.updateRecord('consent', () => undefined);
        same(await store.readRecord('consent'), 'local', 'after an update that changed nothing');
        const failure = new Error('changed my mind');
        try {
          await store.updateRecord('consent', () => {
            throw failure;
          });
          throw new ContractFailure('an update whose change throws must reject');
        } catch (error) {
          check(error === failure, `an update whose change throws must reject with that error, got ${String(error)}`);
        }
        same(await store.readRecord('consent'), 'local', 'after an update whose change threw');
        await Promise.all(Array.from({ length: 20 }, () => store.updateRecord('userVector', counter)));
        same(await counted(store), 20, 'concurrent updates that all landed');
      } finally {
        await store.close();
      }
    },
  },
  {
    name: 'two stores open on one name (shared stores): updates through both all land, and a clear() through one refuses the other’s older writes',
    async run(h) {
      if (h.shared !== true) return;
      const clock = manualClock();
      const first = await h.open('shared', { now: clock.now });
      const second = await h.open('shared', { now: clock.now });
      try {
        const generation = await second.readGeneration();
        await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? first : second).updateRecord('userVector', counter, { generation })));
        same(await counted(first), 20, 'updates through both stores');
        const after = await first.clear();
        await rejectsWithCode(second.appendEvent(event(1, 'view', T0), { generation }), 'STORE_FORGOTTEN', 'the other store’s older append');
        await rejectsWithCode(second.updateRecord('userVector', counter, { generation }), 'STORE_FORGOTTEN', 'the other store’s older update');
        same(await second.readGeneration(), after, 'the generation as the other store reads it');
        same(await second.readRecord('userVector'), undefined, 'the record after clear()');
      } finally {
        await first.close();
        await second.close();
      }
    },
  },
  {
    name: 'refuses use after close() with STORE_CLOSED',
    async run(h) {
      const store = await h.open('closed', {});
      await store.close();
      await rejectsWithCode(store.readEvents(), 'STORE_CLOSED', 'readEvents after close');
      await rejectsWithCode(store.appendEvent(event(1, 'view', T0)), 'STORE_CLOSED', 'appendEvent after close');
      await rejectsWithCode(store.writeRecord('consent', 'off'), 'STORE_CLOSED', 'writeRecord after close');
      await rejectsWithCode(store.updateRecord('consent', () => 'off'), 'STORE_CLOSED', 'updateRecord after close');
      await rejectsWithCode(store.clear(), 'STORE_CLOSED', 'clear after close');
      check(true, 'closed');
    },
  },
];
