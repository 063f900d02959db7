import type { ShoppingEvent } from '@fedrec/core';
import { EVENT_TYPE_NAMES, PrivacyLedger } from '@fedrec/core';
import { isConsentLevel, type ConsentLevel } from '../consent/consent-level.js';
import type { UpdateLogEntry } from '../privacy/update-log-entry.js';
import type { StoredPrivacy, StoredUserVector } from './shopper-store.js';

/*
 * Validation of what comes back from a store. Anything a file or a database
 * hands back may have been edited or truncated, so each reader checks every
 * field it relies on. Events and the user vector are disposable (a bad one is
 * skipped); the privacy record is not (see `parseStoredPrivacy`).
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A stored event, or null if it is not one. */
export function parseStoredEvent(value: unknown): ShoppingEvent | null {
  if (!isRecord(value)) return null;
  const { item, type, time } = value;
  if (!isIndex(item) || !isFiniteNumber(time)) return null;
  if (typeof type !== 'string' || !(EVENT_TYPE_NAMES as readonly string[]).includes(type)) return null;
  return { item, type: type as ShoppingEvent['type'], time };
}

/** Copies only the three fields, so a store never persists anything a caller attached to an event object. */
export function toStoredEvent(event: ShoppingEvent): ShoppingEvent {
  return { item: event.item, type: event.type, time: event.time };
}

export function parseStoredConsent(value: unknown): ConsentLevel | null {
  return isConsentLevel(value) ? value : null;
}

export function parseStoredUserVector(value: unknown): StoredUserVector | null {
  if (!isRecord(value)) return null;
  const { values, modelVersion, historyKey } = value;
  if (!Array.isArray(values) || values.length === 0 || !values.every(isFiniteNumber)) return null;
  if (!isIndex(modelVersion) || typeof historyKey !== 'string') return null;
  return { values, modelVersion, historyKey };
}

function parseUpdateLogEntry(value: unknown): UpdateLogEntry | null {
  if (!isRecord(value)) return null;
  const { roundId, time, bytes, clipNorm, clientNoiseMultiplier, accountedNoiseMultiplier, placement, epsilon, delta, sent } = value;
  if (!isIndex(roundId) || !isFiniteNumber(time) || !isIndex(bytes)) return null;
  if (!isFiniteNumber(clipNorm) || !isFiniteNumber(clientNoiseMultiplier) || !isFiniteNumber(accountedNoiseMultiplier)) return null;
  if (placement !== 'local' && placement !== 'distributed') return null;
  // ε may be Infinity (a round without noise), which JSON stores as null.
  const eps = epsilon === null ? Infinity : epsilon;
  if (typeof eps !== 'number' || Number.isNaN(eps) || !isFiniteNumber(delta) || typeof sent !== 'boolean') return null;
  return { roundId, time, bytes, clipNorm, clientNoiseMultiplier, accountedNoiseMultiplier, placement, epsilon: eps, delta, sent };
}

export type PrivacyParse = { readonly ok: true; readonly value: StoredPrivacy | null } | { readonly ok: false; readonly problem: string };

/**
 * The stored privacy record: `{ok: true, value: null}` when there is none
 * yet, `{ok: false}` when there is one that cannot be read. The caller must
 * not treat the second as the first: that would reset the shopper's budget.
 */
export function parseStoredPrivacy(value: unknown): PrivacyParse {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (!isRecord(value)) return { ok: false, problem: 'the privacy record is not an object' };
  const { ledger, delta, updates } = value;
  try {
    PrivacyLedger.fromJSON(ledger);
  } catch (error) {
    return { ok: false, problem: `the privacy ledger is invalid: ${error instanceof Error ? error.message : 'unknown problem'}` };
  }
  if (delta !== null && !(isFiniteNumber(delta) && delta > 0 && delta < 1)) return { ok: false, problem: 'the reporting delta is invalid' };
  if (!Array.isArray(updates)) return { ok: false, problem: 'the update log is not a list' };
  const entries: UpdateLogEntry[] = [];
  for (const entry of updates) {
    const parsed = parseUpdateLogEntry(entry);
    if (parsed === null) return { ok: false, problem: 'an update log entry is invalid' };
    entries.push(parsed);
  }
  return { ok: true, value: { ledger: PrivacyLedger.fromJSON(ledger).toJSON(), delta: delta as number | null, updates: entries } };
}
