import type { ParticipantLock } from '../coordination/participant-lock.js';

/**
 * The participant lock over the Web Locks API: an exclusive lock of the
 * origin, held for as long as this client takes part. The browser releases
 * it when the tab that holds it closes or crashes, and grants it to the next
 * waiting tab; nothing has to be cleaned up by hand. Undefined where the API
 * is missing (old browsers, insecure origins, workers without it): the
 * client then takes part on its own, as in Node.
 */
export function webLocksParticipantLock(name: string, locks: LockManager | undefined = globalThis.navigator?.locks): ParticipantLock | undefined {
  if (locks === undefined) return undefined;
  return {
    name,
    acquire: (signal, onWait) =>
      new Promise<() => void>((resolve, reject) => {
        // A lock is held until its callback's promise settles: hand that promise's resolver out as the release.
        const hold = (): Promise<void> => new Promise<void>((release) => resolve(() => release()));
        // Try first without queueing, so the caller can tell "another tab has it" from "granted at once".
        locks
          .request(name, { ifAvailable: true }, (lock) => {
            if (lock !== null) return hold();
            onWait?.();
            return locks.request(name, { signal }, hold);
          })
          .catch(reject);
      }),
  };
}
