import { allowsContributing, allowsStoring, type ConsentLevel } from '../consent/consent-level.js';
import { ShopperClientError } from '../shopper/shopper-client-error.js';
import { parseStoredConsent } from './stored-records.js';

/** What a guarded write needs consent for. */
export type WritePurpose = 'storing' | 'contributing';

/**
 * The conditions under which a client decided to write, checked by the store
 * inside the write's own transaction. Several clients (a browser's tabs) may
 * share one store; one of them can delete everything or withdraw consent at
 * any moment, and the others hear of it only later. The guard makes a write
 * that was decided before such a change fail instead of undoing it.
 */
export interface WriteGuard {
  /**
   * The store's generation when the write was decided (`readGeneration()`,
   * or what `clear()` resolved with). `clear()` moves the generation on, so
   * a write decided before a deletion is refused with `STORE_FORGOTTEN`.
   */
  readonly generation: number;
  /**
   * When set, the write is also refused (`CONSENT_WITHDRAWN`) unless the
   * consent stored at that moment — or `defaultConsent` while none is stored —
   * allows it. Omitted: only the generation is checked (e.g. recording the
   * shopper's consent choice itself).
   */
  readonly purpose?: WritePurpose;
  /** The level that applies while no choice is stored (the shop's default). Default `off`. */
  readonly defaultConsent?: ConsentLevel;
}

/** What a store reads, inside the write's transaction, to check a guard. */
export interface GuardedState {
  readonly generation: number;
  /** The stored consent record, unparsed (undefined when there is none). */
  readonly consent: unknown;
}

/**
 * Why a guarded write must not happen, or null when it may. The single
 * implementation of the policy: every store calls it inside the write's
 * transaction, with what that transaction read, so no other write can slip
 * between the check and the write.
 */
export function guardRefusal(guard: WriteGuard | undefined, state: GuardedState): ShopperClientError | null {
  if (guard === undefined) return null;
  if (guard.generation !== state.generation) {
    return new ShopperClientError('STORE_FORGOTTEN', `the store was cleared since this write was decided (generation ${state.generation}, write decided under ${guard.generation}); nothing was written`);
  }
  if (guard.purpose === undefined) return null;
  const consent = parseStoredConsent(state.consent) ?? guard.defaultConsent ?? 'off';
  const allowed = guard.purpose === 'storing' ? allowsStoring(consent) : allowsContributing(consent);
  if (allowed) return null;
  return new ShopperClientError('CONSENT_WITHDRAWN', `consent '${consent}' does not allow ${guard.purpose}; nothing was written`);
}

/** A stored generation, or 0 for a store that was never cleared (or holds something else there). */
export function parseGeneration(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

/** Whether `error` is a guard's refusal: the client should catch up with what another client changed. */
export function isGuardRefusal(error: unknown): error is ShopperClientError {
  return error instanceof ShopperClientError && (error.code === 'STORE_FORGOTTEN' || error.code === 'CONSENT_WITHDRAWN');
}
