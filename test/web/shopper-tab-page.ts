/*
 * One shop tab, for the multi-tab scenarios (`multi-tab.test.ts`): bundled
 * with esbuild and loaded into several pages of one browser profile, so
 * every tab shares the origin's IndexedDB. The test drives each tab through
 * `globalThis.shopperTab`; everything a tab's client emits is kept in
 * `log`, for the test to wait on (`waitForFunction`) and to read.
 */
import * as tf from '@tensorflow/tfjs';
import { createClient, type ConsentLevel, type ShopperClient, type ShopperClientEvents, type ShopperStore, type TransparencyReport } from '@fedrec/client';
import { createIndexedDbStore } from '@fedrec/client/browser';
import { createSeededRandomSource, type EventTypeName } from '@fedrec/core';
import { readStoredContents } from './stored-contents.js';

export interface TabOptions {
  /** IndexedDB name: tabs given the same name share one device's storage. */
  readonly store: string;
  /** The shop's default consent level (a stored choice wins). */
  readonly consent: ConsentLevel;
  readonly budgetEpsilon: number;
  /** False: no Web Locks or BroadcastChannel between the tabs, only the store's own checks. Default true. */
  readonly coordinate?: boolean;
}

export interface LogEntry {
  readonly event: keyof ShopperClientEvents;
  readonly payload: unknown;
  /** When it was logged: milliseconds since the page loaded. */
  readonly at: number;
}

/** What a test prints when it fails: where this tab stands. */
export interface TabDiagnostics {
  readonly state: Omit<TabState, 'log'> | null;
  readonly log: readonly LogEntry[];
  readonly hold: { readonly armed: boolean; readonly held: boolean; readonly engaged: boolean };
  /** The origin's Web Locks as this tab sees them (held and waiting, every tab's). */
  readonly locks: unknown;
  readonly now: number;
}

export interface TabState {
  readonly consent: ConsentLevel;
  readonly consentChosen: boolean;
  readonly participating: boolean;
  readonly waitingForTurn: boolean;
  readonly log: readonly LogEntry[];
}

const LOGGED: readonly (keyof ShopperClientEvents)[] = [
  'consentChanged',
  'historyChanged',
  'roundJoined',
  'roundDeclined',
  'updateSent',
  'privacyChanged',
  'roundClosed',
  'participationChanged',
  'forgotten',
  'error',
];

let client: ShopperClient | null = null;
const log: LogEntry[] = [];
const waiters = new Set<(entry: LogEntry) => void>();

/**
 * Holding a round mid-training: after the next `roundJoined`, the next read
 * of the history (the round's training data) completes and then waits until
 * `release()`, so a test can act in another tab while this one is training.
 */
const hold = { armed: false, held: false, hasEngaged: false, release: (): void => {}, engaged: (): void => {} };
const holdEngaged = new Promise<void>((resolve) => {
  hold.engaged = resolve;
});
void holdEngaged.then(() => {
  hold.hasEngaged = true;
});

function holdingStore(store: ShopperStore): ShopperStore {
  return {
    ...store,
    async readEvents() {
      const events = await store.readEvents();
      if (hold.armed) {
        hold.armed = false;
        hold.held = true;
        const released = new Promise<void>((resolve) => {
          hold.release = resolve;
        });
        hold.engaged();
        await released;
        hold.held = false;
      }
      return events;
    },
  };
}

function opened(): ShopperClient {
  if (client === null) throw new Error('shopperTab.open() first');
  return client;
}

const shopperTab = {
  async open(options: TabOptions): Promise<void> {
    await tf.setBackend('cpu');
    client = await createClient({
      serverUrl: location.origin,
      storage: holdingStore(createIndexedDbStore({ name: options.store, coordinate: options.coordinate ?? true })),
      consent: options.consent,
      personalBudget: { epsilon: options.budgetEpsilon },
      random: createSeededRandomSource('negatives'),
      training: { epochs: 1 },
      transport: { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } },
    });
    for (const event of LOGGED) {
      client.on(event, (payload: unknown) => {
        const error = payload instanceof Error ? { name: payload.name, code: (payload as { code?: unknown }).code, message: payload.message } : null;
        const entry = { event, payload: error ?? payload, at: Math.round(performance.now()) };
        log.push(entry);
        for (const waiter of [...waiters]) waiter(entry);
      });
    }
  },
  state(): TabState {
    const c = opened();
    return { consent: c.consent, consentChosen: c.consentChosen, participating: c.participating, waitingForTurn: c.waitingForTurn, log };
  },
  track: (item: number, type: EventTypeName): Promise<boolean> => opened().track({ item, type }),
  setConsent: (level: ConsentLevel): Promise<void> => opened().setConsent(level),
  forget: (): Promise<void> => opened().forget(),
  transparency: (): Promise<TransparencyReport> => opened().transparency(),
  async recommend(k: number): Promise<boolean> {
    return (await opened().recommend(k)).personalised;
  },
  /** Arms the hold (see `hold`): the round joined next stops after reading its training data. */
  holdNextRound(): void {
    opened().once('roundJoined', () => {
      hold.armed = true;
    });
  },
  /** Resolves once the held round has read its training data and is waiting; rejects after `timeoutMs` with what was logged instead. */
  whenHeld(timeoutMs = 20_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no round held in this tab within ${timeoutMs} ms; logged: ${JSON.stringify(log.map((e) => e.event))}`)), timeoutMs);
      void holdEngaged.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  },
  /**
   * Resolves with the first logged event named `event` whose payload has
   * every field of `fields` (one already logged counts); rejects after
   * `timeoutMs` with what was logged instead.
   */
  waitForLog(event: keyof ShopperClientEvents, fields: Record<string, unknown> = {}, timeoutMs = 20_000): Promise<unknown> {
    const matches = (entry: LogEntry): boolean =>
      entry.event === event && Object.entries(fields).every(([key, value]) => (entry.payload as Record<string, unknown>)[key] === value);
    const found = log.find(matches);
    if (found !== undefined) return Promise.resolve(found.payload);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no '${event}' ${JSON.stringify(fields)} in this tab within ${timeoutMs} ms; logged: ${JSON.stringify(log.map((e) => e.event))}`));
      }, timeoutMs);
      const waiter = (entry: LogEntry): void => {
        if (!matches(entry)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(entry.payload);
      };
      waiters.add(waiter);
    });
  },
  /**
   * What the shopper does in this tab right after another tab deleted
   * everything: one more click (tracked), the held round let go, the
   * recommendations shown again. Resolves once every write those could
   * cause has been attempted (the transparency report queues behind them).
   */
  async actAfterForgetElsewhere(item: number): Promise<{ tracked: boolean; personalised: boolean }> {
    const c = opened();
    const tracked = c.track({ item, type: 'purchase' });
    hold.release();
    const result = { tracked: await tracked, personalised: (await c.recommend(5)).personalised };
    await c.transparency();
    return result;
  },
  /** Where this tab stands, for a failing test to print. */
  async diagnostics(): Promise<TabDiagnostics> {
    const { log: _, ...state } = client === null ? { log } : shopperTab.state();
    const locks = navigator.locks === undefined ? null : await navigator.locks.query();
    return {
      state: client === null ? null : (state as Omit<TabState, 'log'>),
      log,
      hold: { armed: hold.armed, held: hold.held, engaged: hold.hasEngaged },
      locks,
      now: Math.round(performance.now()),
    };
  },
  /** The database as devtools would show it: every event, and the key of every record. */
  storedContents: readStoredContents,
};

export type ShopperTab = typeof shopperTab;
(globalThis as unknown as { shopperTab: ShopperTab }).shopperTab = shopperTab;
