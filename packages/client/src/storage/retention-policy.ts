import type { ShoppingEvent } from '@fedrec/core';

/**
 * How much history a device keeps: at most the last `maxEvents` events, and
 * none older than `maxAgeDays`. Both bounds always apply; a store enforces
 * them every time it writes an event, so the history can never grow past
 * them, and readers skip events that aged out since the last write.
 */
export interface RetentionPolicy {
  /** Most events kept (the newest win). A positive integer. */
  readonly maxEvents: number;
  /** Events older than this many days are dropped. Positive; may be fractional. */
  readonly maxAgeDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { maxEvents: 1000, maxAgeDays: 90 };

const DAY_MS = 86_400_000;

export function resolveRetention(partial: Partial<RetentionPolicy> = {}): RetentionPolicy {
  const policy = { ...DEFAULT_RETENTION, ...partial };
  if (typeof policy.maxEvents !== 'number' || !Number.isSafeInteger(policy.maxEvents) || policy.maxEvents < 1) {
    throw new RangeError(`expected retention maxEvents to be a positive integer, got ${String(policy.maxEvents)}`);
  }
  if (typeof policy.maxAgeDays !== 'number' || !(policy.maxAgeDays > 0) || !Number.isFinite(policy.maxAgeDays)) {
    throw new RangeError(`expected retention maxAgeDays to be finite and > 0, got ${String(policy.maxAgeDays)}`);
  }
  return policy;
}

/** Events with `time` below this (milliseconds since the epoch) are out of the policy at `now`. */
export function retentionCutoff(policy: RetentionPolicy, now: number): number {
  return now - policy.maxAgeDays * DAY_MS;
}

/** Whether an event is still young enough to keep at `now`. */
export function withinAge(event: Pick<ShoppingEvent, 'time'>, policy: RetentionPolicy, now: number): boolean {
  return event.time >= retentionCutoff(policy, now);
}

/**
 * The events a policy keeps, in their original (insertion) order: those
 * young enough at `now`, then only the last `maxEvents` of them. Generic so a
 * store can carry its own keys alongside (IndexedDB deletes by key).
 */
export function applyRetention<T extends Pick<ShoppingEvent, 'time'>>(events: readonly T[], policy: RetentionPolicy, now: number): T[] {
  const young = events.filter((event) => withinAge(event, policy, now));
  return young.length > policy.maxEvents ? young.slice(young.length - policy.maxEvents) : young;
}
