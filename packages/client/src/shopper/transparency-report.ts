import type { EventTypeName } from '@fedrec/core';
import { EVENT_TYPE_NAMES } from '@fedrec/core';
import type { ConsentLevel } from '../consent/consent-level.js';
import { loadPersonalBudget } from '../privacy/stored-ledger.js';
import type { UpdateLogEntry } from '../privacy/update-log-entry.js';
import type { RetentionPolicy } from '../storage/retention-policy.js';
import { parseStoredUserVector } from '../storage/stored-records.js';
import type { ShopperContext } from './shopper-context.js';

/** Everything the device holds about the shopper and everything it sent: what a privacy dashboard shows. */
export interface TransparencyReport {
  readonly consent: ConsentLevel;
  /** False until the shopper has chosen a level (and again after `forget()`). */
  readonly consentChosen: boolean;
  /** The privacy notice: the server's version as last received, and the one the chosen consent was given under (null: none). */
  readonly notice: { readonly version: string | null; readonly consentedUnder: string | null };
  readonly stored: {
    /** Events in the history, by type. */
    readonly events: number;
    readonly byType: Readonly<Record<EventTypeName, number>>;
    /** Time of the oldest and newest stored event (milliseconds since the epoch), null when there are none. */
    readonly oldest: number | null;
    readonly newest: number | null;
    /** Whether the shopper's own vector is stored. */
    readonly userVector: boolean;
    readonly retention: RetentionPolicy;
  };
  /** Every update handed to the round participant, oldest first. */
  readonly updates: readonly UpdateLogEntry[];
  readonly privacy: {
    /** Cumulative ε at `delta` over every round this device took part in (see `PersonalBudget`). */
    readonly epsilon: number;
    /** null before the first round. */
    readonly delta: number | null;
    /** The personal ε budget; rounds that would exceed it are declined. */
    readonly budget: number;
    readonly rounds: number;
  };
}

/**
 * Reads the report from the store, not from memory, so every tab sharing
 * the store reports the same figures. Consent is the one in force in this
 * client (a choice still being stored is already in force). Call it inside
 * the client's queue.
 */
export async function readTransparencyReport(context: ShopperContext): Promise<TransparencyReport> {
  const { store, state, budgetEpsilon } = context;
  const events = await store.readEvents();
  const byType = Object.fromEntries(EVENT_TYPE_NAMES.map((name) => [name, 0])) as Record<EventTypeName, number>;
  let oldest: number | null = null;
  let newest: number | null = null;
  for (const event of events) {
    byType[event.type] += 1;
    oldest = oldest === null ? event.time : Math.min(oldest, event.time);
    newest = newest === null ? event.time : Math.max(newest, event.time);
  }
  const userVector = parseStoredUserVector(await store.readRecord('userVector')) !== null;
  const { budget, updates } = await loadPersonalBudget(store, budgetEpsilon);
  return {
    consent: state.consent,
    consentChosen: state.consentChosen,
    notice: { version: state.notice?.version ?? null, consentedUnder: state.consentChosen ? state.consentNotice : null },
    stored: { events: events.length, byType, oldest, newest, userVector, retention: store.retention },
    updates: updates.map((entry) => ({ ...entry })),
    privacy: { epsilon: budget.epsilon, delta: budget.delta, budget: budgetEpsilon, rounds: budget.rounds },
  };
}
