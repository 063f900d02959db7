import type { EventTypeName } from '@fedrec/core';
import type { ConsentLevel } from '../consent/consent-level.js';
import type { UpdateLogEntry } from '../privacy/update-log-entry.js';
import type { RetentionPolicy } from '../storage/retention-policy.js';

/** Everything the device holds about the shopper and everything it sent: what a privacy dashboard shows. */
export interface TransparencyReport {
  readonly consent: ConsentLevel;
  /** False until the shopper has chosen a level (and again after `forget()`). */
  readonly consentChosen: boolean;
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
  /** Every update handed to the transport, oldest first. */
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
