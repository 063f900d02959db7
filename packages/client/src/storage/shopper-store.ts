import type { PrivacyLedgerJson, ShoppingEvent } from '@fedrec/core';
import type { ConsentLevel } from '../consent/consent-level.js';
import type { UpdateLogEntry } from '../privacy/update-log-entry.js';
import type { RetentionPolicy } from './retention-policy.js';

/** The shopper's own vector, kept for the next session; never sent. */
export interface StoredUserVector {
  readonly values: readonly number[];
  /** The model version and history it was fitted on, so it is refitted when either changes. */
  readonly modelVersion: number;
  readonly historyKey: string;
}

/** The device's personal privacy accounting and the log of what it sent. */
export interface StoredPrivacy {
  readonly ledger: PrivacyLedgerJson;
  /** δ at which ε is reported: the smallest δ of any round taken part in; null before the first. */
  readonly delta: number | null;
  readonly updates: readonly UpdateLogEntry[];
}

/**
 * Everything besides events a store keeps, by key. Values are plain JSON
 * (no typed arrays) so that every backend can persist them the same way.
 */
export interface ShopperRecords {
  readonly consent: ConsentLevel;
  readonly userVector: StoredUserVector;
  readonly privacy: StoredPrivacy;
}

export type ShopperRecordKey = keyof ShopperRecords;
export const SHOPPER_RECORD_KEYS: readonly ShopperRecordKey[] = ['consent', 'userVector', 'privacy'];

/**
 * Where a device keeps the shopper's data: the event history (bounded by a
 * retention policy) and a few records. Implementations: memory
 * (`createMemoryStore`), a file (`createFileStore` in `@fedrec/client/node`)
 * and IndexedDB (`createIndexedDbStore` in `@fedrec/client/browser`); all
 * pass the same contract tests.
 *
 * Reads return `unknown` for records: a file or a database can be edited
 * behind the client's back, so the client validates what it reads.
 */
export interface ShopperStore {
  readonly retention: RetentionPolicy;
  /**
   * Appends one event and, in the same write, drops every event the
   * retention policy no longer allows (too old, or beyond the newest
   * `maxEvents`). An event already too old is not stored at all.
   */
  appendEvent(event: ShoppingEvent): Promise<void>;
  /** The stored events still within the policy's age limit, oldest write first. Malformed entries are skipped. */
  readEvents(): Promise<ShoppingEvent[]>;
  readRecord(key: ShopperRecordKey): Promise<unknown>;
  writeRecord<K extends ShopperRecordKey>(key: K, value: ShopperRecords[K]): Promise<void>;
  deleteRecord(key: ShopperRecordKey): Promise<void>;
  /** Deletes every event and every record. */
  clear(): Promise<void>;
  /** Releases what the store holds open (file handles, a database connection). */
  close(): Promise<void>;
}

/** What every store factory accepts. */
export interface ShopperStoreOptions {
  readonly retention?: Partial<RetentionPolicy>;
  /** Clock for the age limit, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}
