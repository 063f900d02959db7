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
        vector.values[0] = 99; // must not reach the stored copy
        same(await store.readRecord('consent'), records.consent, 'consent');
        same(await store.readRecord('userVector'), records.userVector, 'user vector');
        same(await store.readRecord('privacy'), records.privacy, 'privacy');
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
    name: 'refuses use after close() with STORE_CLOSED',
    async run(h) {
      const store = await h.open('closed', {});
      await store.close();
      await rejectsWithCode(store.readEvents(), 'STORE_CLOSED', 'readEvents after close');
      await rejectsWithCode(store.appendEvent(event(1, 'view', T0)), 'STORE_CLOSED', 'appendEvent after close');
      await rejectsWithCode(store.writeRecord('consent', 'off'), 'STORE_CLOSED', 'writeRecord after close');
      check(true, 'closed');
    },
  },
];
