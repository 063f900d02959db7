import { isConsentLevel, type ConsentLevel } from '../consent/consent-level.js';

/**
 * What one client tells the others sharing its store (a browser's other
 * tabs), after the change is durable in the store. Each carries the store
 * generation it was made under, so a client can tell a change it missed
 * (another generation) from one it can apply as it is.
 */
export type StoreChange =
  /** The shopper chose a consent level. */
  | { readonly kind: 'consent'; readonly generation: number; readonly consent: ConsentLevel; readonly noticeVersion?: string | null }
  /** Everything was deleted; `generation` is the store's new one. */
  | { readonly kind: 'forgotten'; readonly generation: number }
  /** An event was stored; the history now holds `events`. */
  | { readonly kind: 'history'; readonly generation: number; readonly events: number }
  /** The personal ε ledger or the update log changed. */
  | { readonly kind: 'privacy'; readonly generation: number };

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * A change as received, or null if it is not one. Any script of the origin
 * can post on the channel, and another version of the client may be running
 * in another tab, so every field is checked.
 */
export function parseStoreChange(value: unknown): StoreChange | null {
  if (typeof value !== 'object' || value === null) return null;
  const { kind, generation, consent, events, noticeVersion } = value as Record<string, unknown>;
  if (!isCount(generation)) return null;
  switch (kind) {
    case 'consent':
      // `noticeVersion` came with privacy notices: a tab running an older client sends none, read as given under none.
      if (!isConsentLevel(consent)) return null;
      return typeof noticeVersion === 'string' ? { kind, generation, consent, noticeVersion } : { kind, generation, consent, noticeVersion: null };
    case 'forgotten':
    case 'privacy':
      return { kind, generation };
    case 'history':
      return isCount(events) ? { kind, generation, events } : null;
    default:
      return null;
  }
}

/** One client's end of the channel between the clients sharing a store. */
export interface ChangeEndpoint {
  /** Tells every other client sharing the store (never this endpoint's own listener). */
  post(change: StoreChange): void;
  close(): void;
}

/**
 * How the clients sharing a store hear of each other's changes (the IndexedDB
 * store provides one, over BroadcastChannel). Messages are a prompt to act at
 * once; the store stays the source of truth, and its write guards catch a
 * client that has not heard yet.
 */
export interface ChangeChannel {
  /** Opens an endpoint whose `listener` hears what every other endpoint posts. */
  open(listener: (change: StoreChange) => void): ChangeEndpoint;
}
