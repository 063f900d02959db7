import type { ShoppingEvent } from '@fedrec/core';
import type { ConsentLevel } from '../consent/consent-level.js';
import type { ParticipantLock } from '../coordination/participant-lock.js';
import type { ChangeChannel } from '../coordination/store-change.js';
import type { RetentionPolicy } from './retention-policy.js';
import type { StoredCatalogue } from './stored-catalogue.js';
import type { StoredModel } from './stored-model.js';
import type { StoredConsent, StoredPrivacy, StoredUserVector } from './stored-records.js';
import type { WriteGuard } from './write-guard.js';

// The record shapes live beside their schemas; re-exported here, where a store implementer looks for them.
export type { StoredCatalogue, StoredConsent, StoredModel, StoredPrivacy, StoredUserVector };

/**
 * Everything besides events a store keeps, by key. Values are plain JSON
 * (no typed arrays) so that every backend can persist them the same way.
 */
export interface ShopperRecords {
  /** A bare level in records written before privacy notices; read either with `parseStoredConsentRecord`. */
  readonly consent: StoredConsent | ConsentLevel;
  readonly userVector: StoredUserVector;
  readonly privacy: StoredPrivacy;
  /** The last shared model received, for recommending while the server is unreachable. */
  readonly model: StoredModel;
  /** The shop's public catalogue as last received, for the on-device recommender offline and for revalidating it (If-None-Match). */
  readonly catalogue: StoredCatalogue;
}

export type ShopperRecordKey = keyof ShopperRecords;
export const SHOPPER_RECORD_KEYS: readonly ShopperRecordKey[] = ['consent', 'userVector', 'privacy', 'model', 'catalogue'];

/**
 * Where a device keeps the shopper's data: the event history (bounded by a
 * retention policy) and a few records. Implementations: memory
 * (`createMemoryStore`), a file (`createFileStore` in `@fedrec/client/node`)
 * and IndexedDB (`createIndexedDbStore` in `@fedrec/client/browser`); all
 * pass the same contract tests.
 *
 * Reads return `unknown` for records: a file or a database can be edited
 * behind the client's back, so the client validates what it reads.
 *
 * Several clients may share one store at once (a browser's tabs share its
 * IndexedDB). So the store keeps a **generation** that `clear()` moves on,
 * and every write may carry a `WriteGuard`, checked inside the write's own
 * transaction: a write decided before a deletion, or no longer allowed by
 * the stored consent, is refused and writes nothing. Writes without a guard
 * are unconditional (tools, tests).
 */
export interface ShopperStore {
  readonly retention: RetentionPolicy;
  /**
   * Appends one event and, in the same write, drops every event the
   * retention policy no longer allows (too old, or beyond the newest
   * `maxEvents`). An event already too old is not stored at all.
   */
  appendEvent(event: ShoppingEvent, guard?: WriteGuard): Promise<void>;
  /** The stored events still within the policy's age limit, oldest write first. Malformed entries are skipped. */
  readEvents(): Promise<ShoppingEvent[]>;
  readRecord(key: ShopperRecordKey): Promise<unknown>;
  writeRecord<K extends ShopperRecordKey>(key: K, value: ShopperRecords[K], guard?: WriteGuard): Promise<void>;
  /**
   * Reads a record, hands it to `change` and writes what `change` returns,
   * as one step that no other write (from any client sharing the store) can
   * come between: two clients charging one ledger at once are serialised,
   * and neither loses the other's charge. `change` runs synchronously inside
   * the transaction and at most once; returning `undefined` writes nothing,
   * and throwing writes nothing and rejects with what it threw. Resolves
   * once the write is durable.
   */
  updateRecord<K extends ShopperRecordKey>(key: K, change: (current: unknown) => ShopperRecords[K] | undefined, guard?: WriteGuard): Promise<void>;
  deleteRecord(key: ShopperRecordKey): Promise<void>;
  /** How many times the store has been cleared (0 for a new one): what a `WriteGuard` is checked against. */
  readGeneration(): Promise<number>;
  /**
   * Deletes every event and every record and moves the generation on, in
   * one step; resolves with the new generation. Every write guarded with an
   * older generation is refused from then on.
   */
  clear(): Promise<number>;
  /** Releases what the store holds open (file handles, a database connection). */
  close(): Promise<void>;
  /**
   * Present when clients elsewhere (other tabs) can share this store at
   * once: the lock that lets only one of them take part in training rounds.
   */
  readonly participantLock?: ParticipantLock;
  /** Present when clients elsewhere can share this store at once: how they tell each other what changed. */
  readonly changes?: ChangeChannel;
}

/** What every store factory accepts. */
export interface ShopperStoreOptions {
  readonly retention?: Partial<RetentionPolicy>;
  /** Clock for the age limit, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}
