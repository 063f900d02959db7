import type { SharedModel } from '@fedrec/core';
import type { Catalogue } from '@fedrec/core/catalogue';
import type { PrivacyNotice } from '@fedrec/core/protocol';
import { createCryptoRandomSource } from '@fedrec/core';
import { allowsStoring, assertConsentLevel, type ConsentLevel } from '../consent/consent-level.js';
import type { ChangeEndpoint, StoreChange } from '../coordination/store-change.js';
import { TypedEmitter } from '../events/typed-emitter.js';
import { PersonalBudget } from '../privacy/personal-budget.js';
import { readStoredPrivacy } from '../privacy/stored-ledger.js';
import type { StoredUserVector } from '../storage/shopper-store.js';
import { parseStoredModel } from '../storage/stored-model.js';
import { parseStoredConsentRecord, parseStoredUserVector, type StoredConsent } from '../storage/stored-records.js';
import { CurrentCatalogue } from './current-catalogue.js';
import { CurrentModel } from './current-model.js';
import { CurrentNotice } from './current-notice.js';
import { consentNeedsRenewal } from './notice-consent.js';
import { assertRecommendArguments, recommendForShopper, type RecommendationList, type RecommendOptions } from './recommend-for-shopper.js';
import { RoundParticipation } from './round-participation.js';
import { SerialQueue } from './serial-queue.js';
import { ServerReachability } from './server-reachability.js';
import type { ShopperClient } from './shopper-client.js';
import { ShopperClientError, toShopperClientError } from './shopper-client-error.js';
import type { ShopperClientEvents } from './shopper-client-events.js';
import type { ShopperClientOptions } from './shopper-client-options.js';
import { ShopperConsent } from './shopper-consent.js';
import type { ShopperContext } from './shopper-context.js';
import { rowIndex } from './recommend-filters.js';
import { assertSimilarItemsArguments, similarItemsFor, type SimilarItemsList, type SimilarItemsOptions } from './similar-items.js';
import { assertTrackedEvent, trackEvent, type RowEvent, type TrackedEvent } from './tracked-event.js';
import { readTransparencyReport, type TransparencyReport } from './transparency-report.js';
import { UserVectorCache } from './user-vector-cache.js';

const DEFAULT_BUDGET_EPSILON = 10;

/** What `createClient` read from the store before the client starts. */
interface StoredState {
  readonly generation: number;
  readonly consent: StoredConsent | null;
  readonly vector: StoredUserVector | null;
  /** Read only when `options.model` was given; null when none is stored or it is unusable (the shipped one then serves). */
  readonly model: SharedModel | null;
}

/**
 * `ShopperClient` over a shopper store: one context (store, queue, state)
 * shared by its parts — consent and deletion, the model in use, the
 * shopper's vector, rounds — each in its own file. This class only checks
 * arguments, composes the parts and tells other tabs.
 */
class OnDeviceShopperClient extends TypedEmitter<ShopperClientEvents> implements ShopperClient {
  readonly #context: ShopperContext;
  readonly #model: CurrentModel;
  readonly #catalogue: CurrentCatalogue;
  readonly #vector: UserVectorCache;
  readonly #notice: CurrentNotice;
  readonly #rounds: RoundParticipation;
  readonly #consent: ShopperConsent;
  readonly #endpoint: ChangeEndpoint | null;
  /** The catalogue version already refreshed for an unknown product id. */
  #unknownIdRefresh: string | null = null;

  constructor(options: ShopperClientOptions, stored: StoredState) {
    super();
    const now = options.now ?? Date.now;
    const random = options.random ?? createCryptoRandomSource();
    const budgetEpsilon = options.personalBudget?.epsilon ?? DEFAULT_BUDGET_EPSILON;
    new PersonalBudget(budgetEpsilon); // validates the budget
    this.#context = {
      options,
      store: options.storage,
      queue: new SerialQueue(),
      now,
      random,
      budgetEpsilon,
      state: {
        epoch: { generation: stored.generation },
        consent: stored.consent?.level ?? options.consent ?? 'off',
        consentChosen: stored.consent !== null,
        consentNotice: stored.consent?.noticeVersion ?? null,
        noticePending: false,
        notice: null,
        closed: false,
      },
      emit: (event, payload) => this.emit(event, payload),
      reachability: new ServerReachability((event, payload) => this.emit(event, payload)),
      post: (change) => this.#post(change),
      catchUp: () => this.#consent.catchUp(),
    };
    this.#model = new CurrentModel(this.#context, stored.model);
    this.#catalogue = new CurrentCatalogue(this.#context);
    this.#vector = new UserVectorCache(this.#context, stored.vector);
    this.#notice = new CurrentNotice(this.#context, () => this.#rounds.sync());
    this.#rounds = new RoundParticipation(this.#context, { model: this.#model, vector: this.#vector, catalogue: this.#catalogue, notice: this.#notice });
    this.#consent = new ShopperConsent(this.#context, { rounds: this.#rounds, vector: this.#vector, notice: this.#notice });
    this.#endpoint = this.#context.store.changes?.open((change) => this.#consent.onChange(change)) ?? null;
    // A stored `contribute` joins rounds straight away (or waits for the tab that takes part) — once the
    // server's privacy notice is known to be the one it was given under: ask for it now, and again when the
    // server answers after being unreachable.
    this.#rounds.sync();
    if (options.serverUrl !== undefined && this.#context.state.consentChosen && stored.consent?.level === 'contribute') this.#notice.refreshInBackground();
    this.on('online', () => {
      if (this.#context.state.notice === null && this.#context.state.consentChosen && !this.#context.state.closed) this.#notice.refreshInBackground();
    });
  }

  get consent(): ConsentLevel {
    return this.#context.state.consent;
  }

  get consentChosen(): boolean {
    return this.#context.state.consentChosen;
  }

  get privacyNotice(): PrivacyNotice | null {
    return this.#context.state.notice;
  }

  get consentNoticeVersion(): string | null {
    return this.#context.state.consentChosen ? this.#context.state.consentNotice : null;
  }

  get consentNeeded(): boolean {
    return !this.#context.state.consentChosen || consentNeedsRenewal(this.#context.state);
  }

  refreshPrivacyNotice(): Promise<PrivacyNotice> {
    this.#assertOpen();
    return this.#notice.refresh();
  }

  get modelVersion(): number | null {
    return this.#model.model?.version ?? null;
  }

  get catalogueVersion(): string | null {
    return this.#catalogue.catalogue?.version ?? null;
  }

  get participating(): boolean {
    return this.#rounds.participating;
  }

  get waitingForTurn(): boolean {
    return this.#rounds.waitingForTurn;
  }

  async setConsent(level: ConsentLevel): Promise<void> {
    assertConsentLevel(level);
    this.#assertOpen();
    await this.#consent.set(level);
    // The model and catalogue loaded before the shopper opted in are kept for offline visits too.
    this.#model.persist();
    this.#catalogue.persist();
  }

  async track(event: TrackedEvent): Promise<boolean> {
    this.#assertOpen();
    const known = this.#model.model === null && this.#catalogue.catalogue === null ? null : Math.max(this.#model.model?.shape.numItems ?? 0, this.#catalogue.catalogue?.itemIds.length ?? 0);
    assertTrackedEvent(event, known);
    // Nothing is stored without consent to store, so a product id is not looked up either.
    if (typeof event.item === 'string' && !allowsStoring(this.#context.state.consent)) return false;
    const row = typeof event.item === 'string' ? await this.#rowOf(event.item) : event.item;
    return trackEvent(this.#context, { ...event, item: row } satisfies RowEvent);
  }

  /**
   * The row of a product id: by the catalogue held, asked again once per
   * catalogue version for an id it does not list (the product may be newer).
   */
  async #rowOf(productId: string): Promise<number> {
    const catalogue = await this.#catalogue.forModel(this.#model.model?.shape.numItems ?? null, this.#model.serverCatalogueVersion);
    if (catalogue === null) throw new ShopperClientError('CATALOGUE_UNAVAILABLE', 'events name products by id, which needs the shop’s catalogue (GET /catalogue), and none is available');
    const row = rowIndex(catalogue).get(productId);
    if (row !== undefined) return row;
    let latest = catalogue;
    if (this.#unknownIdRefresh !== catalogue.version && this.#context.options.serverUrl !== undefined) {
      this.#unknownIdRefresh = catalogue.version;
      latest = (await this.#catalogue.refresh().catch(() => catalogue)) ?? catalogue;
    }
    const again = rowIndex(latest).get(productId);
    if (again === undefined) throw new RangeError(`unknown product id ${JSON.stringify(productId)}: the shop's catalogue (version ${latest.version}) does not list it`);
    return again;
  }

  async recommend(k: number, options: RecommendOptions = {}): Promise<RecommendationList> {
    const filters = assertRecommendArguments(k, options);
    this.#assertOpen();
    return recommendForShopper(this.#context, { model: this.#model, vector: this.#vector, catalogue: this.#catalogue }, k, options, filters);
  }

  async similarItems(productId: string, options: SimilarItemsOptions = {}): Promise<SimilarItemsList> {
    const count = assertSimilarItemsArguments(productId, options);
    this.#assertOpen();
    return similarItemsFor({ model: this.#model, catalogue: this.#catalogue }, productId, count);
  }

  async transparency(): Promise<TransparencyReport> {
    this.#assertOpen();
    return this.#context.queue.run(() => readTransparencyReport(this.#context));
  }

  async forget(): Promise<void> {
    this.#assertOpen();
    await this.#consent.forget();
  }

  refreshModel(): Promise<SharedModel> {
    return this.#model.refresh();
  }

  refreshCatalogue(): Promise<Catalogue | null> {
    this.#assertOpen();
    return this.#catalogue.refresh();
  }

  async close(): Promise<void> {
    const { state, queue, store } = this.#context;
    if (state.closed) return;
    // Out of rounds at once (another tab may take over); the store closes after the writes already queued.
    state.closed = true;
    this.#endpoint?.close();
    this.#rounds.sync();
    await queue.run(() => store.close());
  }

  #assertOpen(): void {
    if (this.#context.state.closed) throw new ShopperClientError('CLIENT_CLOSED', 'the shopper client was used after close()');
  }

  #post(change: StoreChange): void {
    try {
      this.#endpoint?.post(change);
    } catch (error) {
      // The store holds the change already; other tabs' guards stop them acting against it.
      this.emit('error', toShopperClientError(error));
    }
  }
}

/**
 * The shopper's on-device FedRec client, the same in browsers and Node: it
 * keeps the shopper's history on the device (only with consent), recommends
 * there from the shared model and the shopper's own vector, and — only with
 * consent `contribute` — takes part in federated training rounds within a
 * personal ε budget, sending nothing but clipped, noised model updates.
 *
 * **One device, one participant.** Every tab of a shop runs its own client,
 * but they share one store (the browser's IndexedDB), and the store makes
 * them one participant:
 * - only the tab holding the store's participant lock (Web Locks,
 *   `fedrec:participant:<database>`) connects and takes part in rounds; the
 *   others wait (`waitingForTurn`) and one takes over when it closes. The
 *   tab where the shopper opts in claims the place before it tells the
 *   others, so it takes part (unless another tab already does); a tab that
 *   leaves for a deletion or a withdrawal hands the place on only once that
 *   is stored, and a tab given the place reads the store before it connects
 *   (the lock is granted in no particular order with the messages below);
 * - the personal ε ledger lives in the store and each round is charged to
 *   it in one transaction — read, check the budget, record — before the
 *   update leaves, so the budget holds for the device and every tab reports
 *   the same figures (`transparency()` reads the store; `privacyChanged`
 *   says when to read again);
 * - consent changes and `forget()` reach the other tabs at once
 *   (BroadcastChannel), and every write carries the store generation it was
 *   decided under, checked inside its transaction, so a tab that has not
 *   heard of a deletion writes nothing after it.
 * Stores without a lock or channel (memory, file) work as one participant
 * per process; their write guards still apply.
 *
 * @example
 * import { createClient } from '@fedrec/client';
 * import { createIndexedDbStore } from '@fedrec/client/browser';
 *
 * const shopper = await createClient({ serverUrl: location.origin, storage: createIndexedDbStore(), consent: 'off' });
 * if (!shopper.consentChosen) await shopper.setConsent('local'); // after asking the shopper
 * await shopper.track({ item: 'sku-42', type: 'view' });
 * const { items } = await shopper.recommend(8, { diversity: 0.3, exclude: outOfStock });
 * const alike = await shopper.similarItems('sku-42', { count: 4 });
 */
export async function createClient(options: ShopperClientOptions): Promise<ShopperClient> {
  if (typeof options !== 'object' || options === null) throw new TypeError('expected client options');
  if (options.storage === undefined) throw new TypeError('expected options.storage (createMemoryStore, createFileStore or createIndexedDbStore)');
  if (options.consent !== undefined) assertConsentLevel(options.consent, 'options.consent');
  if (options.serverUrl !== undefined) new URL(options.serverUrl); // throws TypeError on a malformed URL
  const { storage } = options;
  // The generation first: a deletion after this read is caught by the write guards.
  const generation = await storage.readGeneration();
  readStoredPrivacy(await storage.readRecord('privacy')); // refuses to start on an unreadable ledger
  const consent = parseStoredConsentRecord(await storage.readRecord('consent'));
  const vector = parseStoredUserVector(await storage.readRecord('userVector'));
  // With a model shipped with the page, a newer one kept from an earlier visit wins; without one, the server is asked first.
  const storedModel = options.model !== undefined ? parseStoredModel(await storage.readRecord('model')) : null;
  const model = storedModel?.ok === true ? storedModel.model : null;
  return new OnDeviceShopperClient(options, { generation, consent, vector, model });
}
