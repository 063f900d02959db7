import { allowsContributing, type ConsentLevel } from '../consent/consent-level.js';
import type { StoreChange } from '../coordination/store-change.js';
import { parseStoredConsentRecord } from '../storage/stored-records.js';
import { isGuardRefusal } from '../storage/write-guard.js';
import type { CurrentNotice } from './current-notice.js';
import type { RoundParticipation } from './round-participation.js';
import { guardFor, type Epoch, type ShopperContext } from './shopper-context.js';
import { toShopperClientError } from './shopper-client-error.js';
import type { UserVectorCache } from './user-vector-cache.js';

/**
 * The shopper's consent and its deletion (`forget()` also resets consent):
 * the choice in force here, storing it, and keeping it in step with the
 * other tabs sharing the store, whichever tab the shopper acted in.
 * Every change applies at once in memory and takes part in rounds (or not)
 * to match; the store then records it, in order with other writes.
 */
export class ShopperConsent {
  readonly #context: ShopperContext;
  readonly #rounds: RoundParticipation;
  readonly #vector: UserVectorCache;
  readonly #notice: CurrentNotice;
  /** Consent writes of this client still queued: until they land, the stored level is older than ours. */
  #consentWrites = 0;

  constructor(context: ShopperContext, parts: { readonly rounds: RoundParticipation; readonly vector: UserVectorCache; readonly notice: CurrentNotice }) {
    this.#context = context;
    this.#rounds = parts.rounds;
    this.#vector = parts.vector;
    this.#notice = parts.notice;
  }

  /** Records the shopper's choice and applies it at once (see `ShopperClient.setConsent`). Validate `level` first. */
  async set(level: ConsentLevel): Promise<void> {
    const { state, queue, store } = this.#context;
    // In force at once, before anything is awaited: a withdrawal stops the
    // participant now, and a round already training sees it before charging
    // or sending. Storing the choice follows, in order with other changes; if
    // that fails the shopper's latest wish still holds for this session.
    const epoch = state.epoch;
    state.consent = level;
    state.consentChosen = true;
    // Given under the privacy notice the client holds (the one a consent banner shows). A `contribute` chosen
    // before any arrived is given under the one asked for now, the notice published when the shopper chose.
    const chosenUnder = state.notice?.version ?? null;
    state.consentNotice = chosenUnder;
    const pending = allowsContributing(level) && state.notice === null && this.#context.options.serverUrl !== undefined;
    state.noticePending = pending;
    const time = this.#context.now();
    this.#consentWrites += 1;
    const stored = queue.run(async () => {
      let noticeVersion = chosenUnder;
      try {
        if (pending) {
          noticeVersion = (await this.#notice.refreshOrReport())?.version ?? null;
          // Unknown still (offline): recorded under none, and asked again once the notice arrives.
          if (state.noticePending && state.consent === level) state.noticePending = false;
        }
        await store.writeRecord('consent', { level, noticeVersion, time }, guardFor(this.#context, epoch));
      } catch (error) {
        if (isGuardRefusal(error)) await this.catchUp();
        throw error;
      } finally {
        this.#consentWrites -= 1;
      }
      // Told of a `contribute`, the other tabs claim the place too: tell
      // them only once this tab's claim is in the lock's queue, or one of
      // them may be granted the place first (the lock does not order
      // requests by when the tabs decided, only by when they arrive).
      await this.#rounds.placed;
      this.#context.post({ kind: 'consent', generation: epoch.generation, consent: level, noticeVersion });
      // Joins rounds now if the choice waited for the notice.
      if (pending) this.#rounds.sync();
    });
    // A withdrawal hands the place on only once it is stored (see RoundParticipation#admit).
    this.#rounds.sync(stored);
    this.#context.emit('consentChanged', { consent: level, chosen: true });
    await stored;
  }

  /** Deletes everything stored and withdraws (see `ShopperClient.forget`). */
  async forget(): Promise<void> {
    const { state, queue, store } = this.#context;
    // Withdrawn at once; the deletion is queued after any write already under
    // way, so nothing of ours lands after it. Operations called from now on
    // belong to the new epoch, whose generation clear() tells.
    state.consent = 'off';
    state.consentChosen = false;
    state.consentNotice = null;
    state.noticePending = false;
    const previous = state.epoch;
    const epoch: Epoch = { generation: Number.NaN };
    state.epoch = epoch;
    const cleared = queue.run(async () => {
      try {
        epoch.generation = await store.clear();
      } catch (error) {
        // Nothing was deleted: carry on in the old generation.
        epoch.generation = previous.generation;
        throw error;
      }
      this.#vector.clear();
      this.#context.post({ kind: 'forgotten', generation: epoch.generation });
    });
    // Out of rounds at once; the place goes to another tab only once the
    // deletion is durable, so that tab reads it before it connects (RoundParticipation#admit).
    this.#rounds.sync(cleared);
    await cleared;
    this.#context.emit('forgotten', {});
    this.#context.emit('consentChanged', { consent: 'off', chosen: false });
  }

  /** What another client sharing the store did: applied at once, so a withdrawal or a deletion stops this tab before its next step. */
  onChange(change: StoreChange): void {
    const { state, emit } = this.#context;
    if (state.closed) return;
    switch (change.kind) {
      case 'forgotten':
        // Not ours (ours are never echoed), and not one we already caught up with.
        if (change.generation > state.epoch.generation) this.#adoptForget(change.generation);
        return;
      case 'consent':
        if (change.generation === state.epoch.generation) this.#adoptConsent(change.consent, change.noticeVersion ?? null);
        else this.#catchUpLater();
        return;
      case 'history':
        if (change.generation === state.epoch.generation) emit('historyChanged', { events: change.events });
        return;
      case 'privacy':
        if (change.generation === state.epoch.generation) emit('privacyChanged', {});
        return;
    }
  }

  /**
   * The store refused a write, or a message came from another generation:
   * another client deleted everything or changed consent and this one had
   * not heard. Reads what the store holds now and adopts it. Call it inside
   * the queue.
   */
  async catchUp(): Promise<void> {
    const { state, store } = this.#context;
    const generation = await store.readGeneration();
    if (generation !== state.epoch.generation) {
      this.#adoptForget(generation);
      return;
    }
    // A choice of ours still on its way to the store is newer than what the store holds.
    if (this.#consentWrites > 0) return;
    const stored = parseStoredConsentRecord(await store.readRecord('consent'));
    if (stored !== null) this.#adoptConsent(stored.level, stored.noticeVersion);
  }

  #catchUpLater(): void {
    this.#context.queue.run(() => this.catchUp()).catch((error: unknown) => this.#context.emit('error', toShopperClientError(error)));
  }

  /** Another client deleted everything: forget what this one holds in memory, withdraw, and ask again, as if the shopper had done it here. */
  #adoptForget(generation: number): void {
    const { state, emit } = this.#context;
    state.epoch = { generation };
    this.#vector.clear();
    state.consent = 'off';
    state.consentChosen = false;
    state.consentNotice = null;
    state.noticePending = false;
    this.#rounds.sync();
    emit('forgotten', {});
    emit('consentChanged', { consent: 'off', chosen: false });
  }

  #adoptConsent(level: ConsentLevel, noticeVersion: string | null): void {
    const { state } = this.#context;
    if (level === state.consent && state.consentChosen && noticeVersion === state.consentNotice) return;
    state.consent = level;
    state.consentChosen = true;
    state.consentNotice = noticeVersion;
    state.noticePending = false;
    // A `contribute` chosen in another tab: this tab may take over the device's place, which needs the notice.
    if (allowsContributing(level) && state.notice === null && this.#context.options.serverUrl !== undefined) this.#notice.refreshInBackground();
    this.#rounds.sync();
    this.#context.emit('consentChanged', { consent: level, chosen: true });
  }
}
