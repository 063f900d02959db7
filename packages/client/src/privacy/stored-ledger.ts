import type { RoundPrivacy } from '@fedrec/core';
import { ShopperClientError } from '../shopper/shopper-client-error.js';
import type { ShopperStore, StoredPrivacy } from '../storage/shopper-store.js';
import { parseStoredPrivacy } from '../storage/stored-records.js';
import type { WriteGuard } from '../storage/write-guard.js';
import { PersonalBudget, type Charge } from './personal-budget.js';
import type { UpdateLogEntry } from './update-log-entry.js';

/*
 * The personal ε ledger lives in the store, not in a client's memory: every
 * tab of a browser shares one ledger, and each change to it is one
 * read-modify-write (`ShopperStore.updateRecord`) so that two tabs can never
 * both charge from the same starting point.
 */

/** The stored privacy record; throws rather than treat an unreadable ledger as an empty one (that would reset the budget). */
export function readStoredPrivacy(value: unknown): StoredPrivacy | null {
  const parsed = parseStoredPrivacy(value);
  if (!parsed.ok) {
    const path = parsed.path === '' ? 'privacy' : `privacy.${parsed.path}`;
    throw new ShopperClientError('STORAGE_CORRUPT', `the stored record field ${path} is invalid (${parsed.problem}); refusing to restart the personal ε budget (clear the store to start over)`, { path });
  }
  return parsed.value;
}

/** The device's budget as stored now: for reporting and for deciding whether to join a round (the charge checks again). */
export async function loadPersonalBudget(store: ShopperStore, budgetEpsilon: number): Promise<{ readonly budget: PersonalBudget; readonly updates: readonly UpdateLogEntry[] }> {
  const stored = readStoredPrivacy(await store.readRecord('privacy'));
  return { budget: new PersonalBudget(budgetEpsilon, stored), updates: stored?.updates ?? [] };
}

export interface ChargeRequest {
  readonly budgetEpsilon: number;
  readonly privacy: Pick<RoundPrivacy, 'accountedNoiseMultiplier' | 'delta'>;
  /** The log entry for this participation, given what it cost. */
  readonly entry: (charge: Charge) => UpdateLogEntry;
  readonly guard: WriteGuard;
}

/**
 * Charges one participation to the ledger in `store`, and resolves only once
 * the charge is durable: read the stored ledger, check the budget, record
 * the round and append its log entry, all in one step. Call it before the
 * update leaves the device; if it rejects, the update must not be sent.
 *
 * Rejects with `BUDGET_EXCEEDED` when the round would take the device (every
 * tab together) over `budgetEpsilon`, `STORAGE_CORRUPT` when the stored
 * ledger cannot be read, a guard's refusal (`STORE_FORGOTTEN`,
 * `CONSENT_WITHDRAWN`) or a storage failure — in every case nothing is charged.
 */
export async function chargeStoredLedger(store: ShopperStore, request: ChargeRequest): Promise<UpdateLogEntry> {
  const charged: { entry: UpdateLogEntry | null } = { entry: null };
  await store.updateRecord(
    'privacy',
    (current) => {
      const stored = readStoredPrivacy(current);
      const budget = new PersonalBudget(request.budgetEpsilon, stored);
      if (budget.wouldExceed(request.privacy)) {
        throw new ShopperClientError('BUDGET_EXCEEDED', `taking part would take this device's ε above its personal budget of ${request.budgetEpsilon} (after ${budget.rounds} rounds)`);
      }
      const entry = request.entry(budget.charge(request.privacy));
      charged.entry = entry;
      return { ...budget.toStored(), updates: [...(stored?.updates ?? []), entry] };
    },
    request.guard,
  );
  if (charged.entry === null) throw new ShopperClientError('STORAGE_FAILED', 'the store completed the charge without running it');
  return charged.entry;
}

/**
 * Marks the newest unsent log entry of `roundId` as sent, with the size the
 * transport reports; resolves with the entry as stored, or null when there
 * is none (deleted since, or charged by another client).
 */
export async function markUpdateSent(store: ShopperStore, roundId: number, bytes: number, guard: WriteGuard): Promise<UpdateLogEntry | null> {
  const marked: { entry: UpdateLogEntry | null } = { entry: null };
  await store.updateRecord(
    'privacy',
    (current) => {
      const stored = readStoredPrivacy(current);
      if (stored === null) return undefined;
      const index = stored.updates.findLastIndex((entry) => entry.roundId === roundId && !entry.sent);
      if (index < 0) return undefined;
      const entry: UpdateLogEntry = { ...stored.updates[index]!, bytes, sent: true };
      marked.entry = entry;
      return { ...stored, updates: stored.updates.map((existing, i) => (i === index ? entry : existing)) };
    },
    guard,
  );
  return marked.entry;
}
