import type { EventTypeName, EventWeights, ItemFeatures, LocalTrainingConfig, RandomSource, SharedModel, ShoppingEvent } from '@fedrec/core';
import { EVENT_TYPE_NAMES, biasesView, createCryptoRandomSource, embeddingsView, fitUserVector, positiveItems, scoreAllItems } from '@fedrec/core';
import { allowsContributing, allowsStoring, assertConsentLevel, type ConsentLevel } from '../consent/consent-level.js';
import type { ChangeEndpoint, StoreChange } from '../coordination/store-change.js';
import { PersonalBudget } from '../privacy/personal-budget.js';
import { chargeStoredLedger, loadPersonalBudget, markUpdateSent, readStoredPrivacy } from '../privacy/stored-ledger.js';
import type { UpdateLogEntry } from '../privacy/update-log-entry.js';
import { rankRecommendations } from '../recommend/rank-recommendations.js';
import type { ShopperStore } from '../storage/shopper-store.js';
import { parseStoredConsent, parseStoredUserVector } from '../storage/stored-records.js';
import { isGuardRefusal, type WriteGuard, type WritePurpose } from '../storage/write-guard.js';
import type { RoundParticipant, RoundInvitation } from '../rounds/round-participant.js';
import { createRoundParticipant } from '../rounds/round-participant.js';
import type { BackoffOptions } from '../rounds/backoff.js';
import { enrol } from '../rounds/enrol.js';
import type { RoundParticipantError } from '../rounds/round-participant-error.js';
import type { TrainingRound, TrainingResult } from '../rounds/training-callback.js';
import { TypedEmitter } from '../events/typed-emitter.js';
import { fetchSharedModel } from './fetch-model.js';
import { computeLocalDelta, eventsInCatalogue, updateBytes } from './local-update.js';
import { ParticipantSlot } from './participant-slot.js';
import { SerialQueue } from './serial-queue.js';
import { ShopperClientError } from './shopper-client-error.js';
import type { TransparencyReport } from './transparency-report.js';

/** What the shopper did: `time` defaults to now. */
export interface TrackedEvent {
  readonly item: number;
  readonly type: EventTypeName;
  readonly time?: number;
}

export interface RecommendOptions {
  /**
   * In [0, 1]. 0 ranks by relevance alone; higher values re-rank with
   * maximal marginal relevance so the list is less "more of the same".
   * Default 0.
   */
  readonly diversity?: number;
  /** Leave out items the shopper already bought. Default true. */
  readonly excludePurchased?: boolean;
}

export interface Recommendation {
  readonly item: number;
  /** The model's score for this shopper (personalised) or the item's bias (popular). */
  readonly score: number;
}

export interface RecommendationList {
  readonly items: readonly Recommendation[];
  /** False when the list is popular items only (consent `off`, or no history yet). */
  readonly personalised: boolean;
  readonly modelVersion: number;
}

/** Why the device sat a round out. */
export type DeclineReason =
  /** Consent is not `contribute` (any more). */
  | 'consent'
  /** The round announced no DP parameters, so the device cannot tell what taking part would cost. */
  | 'no-privacy'
  /** Taking part would take the device's ε above its personal budget. */
  | 'budget';

export interface ShopperClientEvents {
  consentChanged: { readonly consent: ConsentLevel; readonly chosen: boolean };
  /** An event was stored (by this client, or another tab sharing the store). */
  historyChanged: { readonly events: number };
  /** A newer shared model is in use. */
  modelUpdated: { readonly modelVersion: number };
  /** The device accepted a round's invitation and is training. */
  roundJoined: { readonly roundId: number };
  roundDeclined: { readonly roundId: number; readonly reason: DeclineReason };
  /** An update left the device; `entry` is what the privacy dashboard lists. */
  updateSent: { readonly roundId: number; readonly entry: UpdateLogEntry };
  /**
   * The device's ε ledger or update log changed — here, or in another tab
   * sharing the store: read `transparency()` again for the new figures.
   */
  privacyChanged: Record<string, never>;
  roundClosed: { readonly roundId: number; readonly outcome: 'applied' | 'abandoned'; readonly modelVersion: number };
  /**
   * This client connected to the aggregation server (available for rounds),
   * or left it, or started waiting while another tab takes part for the
   * device (`waitingForTurn`).
   */
  participationChanged: { readonly participating: boolean; readonly waitingForTurn: boolean };
  /** Everything stored was deleted (by this client, or another tab sharing the store). */
  forgotten: Record<string, never>;
  /** Failures in the background (model refresh, transport, storage during a round). Never fatal. */
  error: ShopperClientError | RoundParticipantError;
}

export interface ShopperClientOptions {
  /**
   * Base URL of the aggregation server (`GET /model`, `POST /enrol`,
   * socket.io). Without it the client works offline from `model` and never
   * takes part in rounds.
   */
  readonly serverUrl?: string;
  readonly storage: ShopperStore;
  /**
   * The level to use until the shopper has chosen one. A stored choice
   * always wins: this is the shop's default, not the shopper's decision.
   * Default `off`.
   */
  readonly consent?: ConsentLevel;
  /** The most ε this device spends on training rounds, in total. Default `{ epsilon: 10 }`. */
  readonly personalBudget?: { readonly epsilon: number };
  /** A model to start from (e.g. shipped with the page); replaced by newer ones from the server. */
  readonly model?: SharedModel;
  /** One category id per catalogue item: diversity then means "other categories" rather than embedding distance. */
  readonly itemCategories?: ArrayLike<number>;
  readonly eventWeights?: EventWeights;
  /** Local training for rounds. */
  readonly training?: Partial<LocalTrainingConfig>;
  /** Epochs fitting the shopper's vector for recommendations. Default 20. */
  readonly fitEpochs?: number;
  /** Negative sampling stream (not the DP noise). Default: the platform CSPRNG. */
  readonly random?: RandomSource;
  /** DP noise stream. Default: the platform CSPRNG; seed it only in tests. */
  readonly noiseSource?: RandomSource;
  /** For servers whose enrolment needs a key. */
  readonly enrolmentKey?: string;
  readonly transport?: {
    readonly path?: string;
    readonly transports?: readonly ('websocket' | 'polling')[];
    readonly reconnect?: BackoffOptions;
  };
  /** Clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
}

export interface ShopperClient {
  readonly consent: ConsentLevel;
  /** False until the shopper has chosen a level: show the consent banner. */
  readonly consentChosen: boolean;
  /** Version of the shared model in use; null before one is loaded. */
  readonly modelVersion: number | null;
  /** Whether this client is connected to the server and available for rounds. */
  readonly participating: boolean;
  /**
   * True while this client would take part but another tab sharing its
   * store does so for the device (one participant per device); it takes
   * over when that tab goes off or closes.
   */
  readonly waitingForTurn: boolean;
  /**
   * Records the shopper's choice (stored) and applies it at once: `off`
   * stops storing and withdraws from rounds, `contribute` joins them.
   * Going `off` keeps what is already stored (unused) until `forget()`.
   * Other tabs sharing the store apply the choice too. Rejects with
   * `STORE_FORGOTTEN` (storing nothing) when another tab deleted everything
   * before this one heard of it: the shopper is then asked again.
   */
  setConsent(level: ConsentLevel): Promise<void>;
  /** Stores an event on the device if consent allows; resolves to whether it was stored. Nothing is sent. */
  track(event: TrackedEvent): Promise<boolean>;
  /** The top `k` items for this shopper, computed on the device. */
  recommend(k: number, options?: RecommendOptions): Promise<RecommendationList>;
  transparency(): Promise<TransparencyReport>;
  /**
   * Deletes the history, the shopper's vector, the privacy ledger and the
   * update log from storage, withdraws from rounds and sets consent to `off`
   * (not stored: the shopper is asked again). What the server already
   * aggregated cannot be taken back — it is in the shared model, with noise.
   * Every other tab sharing the store stops too, and nothing a tab decided
   * before it heard of the deletion is written afterwards.
   */
  forget(): Promise<void>;
  /** Loads the current model from the server now. */
  refreshModel(): Promise<SharedModel>;
  /** Withdraws from rounds and closes the store. */
  close(): Promise<void>;
  on<K extends keyof ShopperClientEvents>(event: K, listener: (payload: ShopperClientEvents[K]) => void): ShopperClient;
  once<K extends keyof ShopperClientEvents>(event: K, listener: (payload: ShopperClientEvents[K]) => void): ShopperClient;
  off<K extends keyof ShopperClientEvents>(event: K, listener: (payload: ShopperClientEvents[K]) => void): ShopperClient;
}

const DEFAULT_BUDGET_EPSILON = 10;
const DEFAULT_FIT_EPOCHS = 20;

/**
 * Identifies a history for the vector cache (stored beside the vector, on
 * the device): FNV-1a over every event, so any new, aged-out or edited event
 * changes it.
 */
function historyKey(events: readonly ShoppingEvent[]): string {
  let hash = 0x811c9dc5;
  const mix = (value: number): void => {
    hash = Math.imul(hash ^ (value >>> 0), 0x01000193);
    hash = Math.imul(hash ^ Math.floor(value / 0x1_0000_0000), 0x01000193);
  };
  for (const event of events) {
    mix(event.item);
    mix(EVENT_TYPE_NAMES.indexOf(event.type));
    mix(event.time);
  }
  return `${events.length}:${(hash >>> 0).toString(16)}`;
}

function assertTrackedEvent(event: TrackedEvent, numItems: number | null): void {
  if (typeof event !== 'object' || event === null) throw new TypeError(`expected an event object, got ${event === null ? 'null' : typeof event}`);
  const { item, type, time } = event;
  if (typeof item !== 'number' || !Number.isSafeInteger(item) || item < 0) throw new RangeError(`expected event item to be a non-negative integer, got ${String(item)}`);
  if (numItems !== null && item >= numItems) throw new RangeError(`expected event item in [0, ${numItems}), got ${item}`);
  if (!(EVENT_TYPE_NAMES as readonly unknown[]).includes(type)) throw new RangeError(`expected event type to be one of ${EVENT_TYPE_NAMES.join(', ')}, got '${String(type)}'`);
  if (time !== undefined && (typeof time !== 'number' || !Number.isFinite(time))) throw new RangeError(`expected event time to be a finite number, got ${String(time)}`);
}

/**
 * The deletion epoch a client acts in: replaced by every `forget()` (here or
 * in another tab). An operation takes the epoch current when it is called,
 * and writes with that epoch's generation: one called before this client
 * heard of a deletion is refused by the store, while one queued behind this
 * client's own `forget()` writes under the generation that forget produced.
 */
interface Epoch {
  /** NaN while this client's own `clear()` is under way. */
  generation: number;
}

class Shopper extends TypedEmitter<ShopperClientEvents> implements ShopperClient {
  readonly #options: ShopperClientOptions;
  readonly #store: ShopperStore;
  readonly #queue = new SerialQueue();
  readonly #now: () => number;
  readonly #random: RandomSource;
  readonly #budgetEpsilon: number;
  readonly #slot: ParticipantSlot;
  readonly #endpoint: ChangeEndpoint | null;
  #epoch: Epoch;
  #consent: ConsentLevel;
  #consentChosen: boolean;
  /** Consent writes of this client still queued: until they land, the stored level is older than ours. */
  #consentWrites = 0;
  #model: SharedModel | null;
  #modelLoading: Promise<SharedModel> | null = null;
  /** The fitted vector for (model version, history): refitted when either changes. */
  #vector: { readonly modelVersion: number; readonly historyKey: string; readonly values: Float32Array } | null = null;
  /** Entries this client charged whose update the transport has not reported sent yet, by round. */
  readonly #charged = new Map<number, UpdateLogEntry>();
  #token: { readonly token: string; readonly expiresAt: number } | null = null;
  #closed = false;

  constructor(options: ShopperClientOptions, state: { generation: number; consent: ConsentLevel | null; vector: ReturnType<typeof parseStoredUserVector> }) {
    super();
    this.#options = options;
    this.#store = options.storage;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? createCryptoRandomSource();
    this.#budgetEpsilon = options.personalBudget?.epsilon ?? DEFAULT_BUDGET_EPSILON;
    new PersonalBudget(this.#budgetEpsilon); // validates the budget
    this.#epoch = { generation: state.generation };
    this.#consent = state.consent ?? options.consent ?? 'off';
    this.#consentChosen = state.consent !== null;
    this.#model = options.model ?? null;
    if (state.vector !== null) {
      this.#vector = { modelVersion: state.vector.modelVersion, historyKey: state.vector.historyKey, values: Float32Array.from(state.vector.values) };
    }
    this.#slot = new ParticipantSlot(this.#store.participantLock, {
      onError: (error) => this.emit('error', asClientError(error)),
      onWait: () => this.emit('participationChanged', { participating: false, waitingForTurn: true }),
    });
    this.#endpoint = this.#store.changes?.open((change) => this.#onChange(change)) ?? null;
    // A stored `contribute` joins rounds straight away (or waits for the tab that takes part).
    this.#syncTransport();
  }

  get consent(): ConsentLevel {
    return this.#consent;
  }

  get consentChosen(): boolean {
    return this.#consentChosen;
  }

  get modelVersion(): number | null {
    return this.#model?.version ?? null;
  }

  get participating(): boolean {
    return this.#slot.transport?.connected === true;
  }

  get waitingForTurn(): boolean {
    return this.#slot.waiting;
  }

  /**
   * Claims or gives up the device's place in rounds to match consent; the
   * transport runs only while the place is ours. Giving it up stops the
   * transport at once; pass `handOver`, the write recording why (a deletion,
   * a withdrawal), to keep the place from another tab until that is durable.
   */
  #syncTransport(handOver?: Promise<unknown>): void {
    const serverUrl = this.#options.serverUrl;
    const want = allowsContributing(this.#consent) && serverUrl !== undefined && !this.#closed;
    if (want) {
      this.#slot.take(
        () => {
          const transport = this.#createTransport(serverUrl);
          transport.start();
          return transport;
        },
        () => this.#admit(),
      );
    } else if (this.#slot.claimed) {
      // Joining again enrols afresh, so the server cannot link the two sessions by client id.
      this.#token = null;
      this.#slot.leave(handOver);
    }
  }

  /**
   * Runs when the place has just become ours, before the transport starts.
   * Between tabs, the lock is granted independently of the messages they
   * exchange: the tab that held the place may have left because of a
   * deletion or a withdrawal that this one has not heard of yet. That tab
   * hands the place on only once the change is durable, so reading the
   * store now sees it, and catching up gives the place back up. Queued, so
   * the consent this client chose is stored before it connects.
   */
  #admit(): Promise<void> {
    return this.#queue.run(() => this.#catchUp());
  }

  /** A guard for a write decided now, in `epoch`. */
  #guard(epoch: Epoch, purpose?: WritePurpose): WriteGuard {
    return { generation: epoch.generation, ...(purpose !== undefined ? { purpose } : {}), defaultConsent: this.#options.consent ?? 'off' };
  }

  #post(change: StoreChange): void {
    try {
      this.#endpoint?.post(change);
    } catch (error) {
      // The store holds the change already; other tabs' guards stop them acting against it.
      this.emit('error', asClientError(error));
    }
  }

  async setConsent(level: ConsentLevel): Promise<void> {
    assertConsentLevel(level);
    this.#assertOpen();
    // In force at once, before anything is awaited: a withdrawal stops the
    // transport now, and a round already training sees it before charging or
    // sending. Storing the choice follows, in order with other changes; if
    // that fails the shopper's latest wish still holds for this session.
    const epoch = this.#epoch;
    this.#consent = level;
    this.#consentChosen = true;
    this.#consentWrites += 1;
    const stored = this.#queue.run(async () => {
      try {
        await this.#store.writeRecord('consent', level, this.#guard(epoch));
      } catch (error) {
        if (isGuardRefusal(error)) await this.#catchUp();
        throw error;
      } finally {
        this.#consentWrites -= 1;
      }
      // Told of a `contribute`, the other tabs claim the place too: tell
      // them only once this tab's claim is in the lock's queue, or one of
      // them may be granted the place first (the lock does not order
      // requests by when the tabs decided, only by when they arrive).
      await this.#slot.placed;
      this.#post({ kind: 'consent', generation: epoch.generation, consent: level });
    });
    // A withdrawal hands the place on only once it is stored (see #admit).
    this.#syncTransport(stored);
    this.emit('consentChanged', { consent: level, chosen: true });
    await stored;
  }

  async track(event: TrackedEvent): Promise<boolean> {
    this.#assertOpen();
    assertTrackedEvent(event, this.#model?.shape.numItems ?? null);
    const stored: ShoppingEvent = { item: event.item, type: event.type, time: event.time ?? this.#now() };
    // Consent and epoch as they were when the shopper acted: a later forget()
    // here is queued after this write and deletes it; one in another tab
    // makes the store refuse it.
    const allowed = allowsStoring(this.#consent);
    const epoch = this.#epoch;
    return this.#queue.run(async () => {
      if (!allowed) return false;
      try {
        await this.#store.appendEvent(stored, this.#guard(epoch, 'storing'));
      } catch (error) {
        if (!isGuardRefusal(error)) throw error;
        await this.#catchUp();
        return false;
      }
      const events = (await this.#store.readEvents()).length;
      this.emit('historyChanged', { events });
      this.#post({ kind: 'history', generation: epoch.generation, events });
      return true;
    });
  }

  async recommend(k: number, options: RecommendOptions = {}): Promise<RecommendationList> {
    if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`expected k to be a non-negative integer, got ${k}`);
    const diversity = options.diversity ?? 0;
    if (typeof diversity !== 'number' || !(diversity >= 0 && diversity <= 1)) throw new RangeError(`expected diversity in [0, 1], got ${String(diversity)}`);
    this.#assertOpen();
    const epoch = this.#epoch;
    const model = await this.#currentModel();
    return this.#queue.run(async () => {
      const features = this.#features(model);
      const events = allowsStoring(this.#consent) ? eventsInCatalogue(await this.#store.readEvents(), model.shape.numItems) : [];
      if (events.length === 0) {
        const popularity = biasesView(model.shape, model.values);
        const items = rankRecommendations({ scores: popularity, k, diversity, features });
        return { items: items.map((item) => ({ item, score: popularity[item]! })), personalised: false, modelVersion: model.version };
      }
      const vector = await this.#userVector(model, events, epoch);
      const scores = scoreAllItems(model.shape, model.values, vector);
      let exclude: Uint8Array | undefined;
      if (options.excludePurchased ?? true) {
        exclude = new Uint8Array(model.shape.numItems);
        for (const event of events) if (event.type === 'purchase') exclude[event.item] = 1;
      }
      const items = rankRecommendations({ scores, k, diversity, features, ...(exclude !== undefined ? { exclude } : {}) });
      return { items: items.map((item) => ({ item, score: scores[item]! })), personalised: true, modelVersion: model.version };
    });
  }

  async transparency(): Promise<TransparencyReport> {
    this.#assertOpen();
    return this.#queue.run(async () => {
      const events = await this.#store.readEvents();
      const byType = Object.fromEntries(EVENT_TYPE_NAMES.map((name) => [name, 0])) as Record<EventTypeName, number>;
      let oldest: number | null = null;
      let newest: number | null = null;
      for (const event of events) {
        byType[event.type] += 1;
        oldest = oldest === null ? event.time : Math.min(oldest, event.time);
        newest = newest === null ? event.time : Math.max(newest, event.time);
      }
      const userVector = parseStoredUserVector(await this.#store.readRecord('userVector')) !== null;
      // From the store, not from memory: every tab sharing it reports the same figures.
      const { budget, updates } = await loadPersonalBudget(this.#store, this.#budgetEpsilon);
      return {
        consent: this.#consent,
        consentChosen: this.#consentChosen,
        stored: { events: events.length, byType, oldest, newest, userVector, retention: this.#store.retention },
        updates: updates.map((entry) => ({ ...entry })),
        privacy: { epsilon: budget.epsilon, delta: budget.delta, budget: this.#budgetEpsilon, rounds: budget.rounds },
      };
    });
  }

  async forget(): Promise<void> {
    this.#assertOpen();
    // Withdrawn at once; the deletion is queued after any write already under
    // way, so nothing of ours lands after it. Operations called from now on
    // belong to the new epoch, whose generation clear() tells.
    this.#consent = 'off';
    this.#consentChosen = false;
    const previous = this.#epoch;
    const epoch: Epoch = { generation: Number.NaN };
    this.#epoch = epoch;
    const cleared = this.#queue.run(async () => {
      try {
        epoch.generation = await this.#store.clear();
      } catch (error) {
        // Nothing was deleted: carry on in the old generation.
        epoch.generation = previous.generation;
        throw error;
      }
      this.#vector = null;
      this.#post({ kind: 'forgotten', generation: epoch.generation });
    });
    // Out of rounds at once; the place goes to another tab only once the
    // deletion is durable, so that tab reads it before it connects (#admit).
    this.#syncTransport(cleared);
    await cleared;
    this.emit('forgotten', {});
    this.emit('consentChanged', { consent: 'off', chosen: false });
  }

  refreshModel(): Promise<SharedModel> {
    const serverUrl = this.#options.serverUrl;
    if (serverUrl === undefined) return Promise.reject(new ShopperClientError('MODEL_UNAVAILABLE', 'no serverUrl to load the model from'));
    this.#modelLoading ??= fetchSharedModel(serverUrl, this.#options.fetch)
      .then((model) => {
        this.#useModel(model);
        return this.#model!;
      })
      .finally(() => {
        this.#modelLoading = null;
      });
    return this.#modelLoading;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Out of rounds at once (another tab may take over); the store closes after the writes already queued.
    this.#closed = true;
    this.#endpoint?.close();
    this.#syncTransport();
    await this.#queue.run(() => this.#store.close());
  }

  #assertOpen(): void {
    if (this.#closed) throw new ShopperClientError('CLIENT_CLOSED', 'the shopper client was used after close()');
  }

  /** What another client sharing the store did: applied at once, so a withdrawal or a deletion stops this tab before its next step. */
  #onChange(change: StoreChange): void {
    if (this.#closed) return;
    switch (change.kind) {
      case 'forgotten':
        // Not ours (ours are never echoed), and not one we already caught up with.
        if (change.generation > this.#epoch.generation) this.#adoptForget(change.generation);
        return;
      case 'consent':
        if (change.generation === this.#epoch.generation) this.#adoptConsent(change.consent);
        else this.#catchUpLater();
        return;
      case 'history':
        if (change.generation === this.#epoch.generation) this.emit('historyChanged', { events: change.events });
        return;
      case 'privacy':
        if (change.generation === this.#epoch.generation) this.emit('privacyChanged', {});
        return;
    }
  }

  /** Another client deleted everything: forget what this one holds in memory, withdraw, and ask again, as if the shopper had done it here. */
  #adoptForget(generation: number): void {
    this.#epoch = { generation };
    this.#vector = null;
    this.#consent = 'off';
    this.#consentChosen = false;
    this.#syncTransport();
    this.emit('forgotten', {});
    this.emit('consentChanged', { consent: 'off', chosen: false });
  }

  #adoptConsent(level: ConsentLevel): void {
    if (level === this.#consent && this.#consentChosen) return;
    this.#consent = level;
    this.#consentChosen = true;
    this.#syncTransport();
    this.emit('consentChanged', { consent: level, chosen: true });
  }

  /**
   * The store refused a write, or a message came from another generation:
   * another client deleted everything or changed consent and this one had
   * not heard. Reads what the store holds now and adopts it. Call it inside
   * the queue.
   */
  async #catchUp(): Promise<void> {
    const generation = await this.#store.readGeneration();
    if (generation !== this.#epoch.generation) {
      this.#adoptForget(generation);
      return;
    }
    // A choice of ours still on its way to the store is newer than what the store holds.
    if (this.#consentWrites > 0) return;
    const stored = parseStoredConsent(await this.#store.readRecord('consent'));
    if (stored !== null) this.#adoptConsent(stored);
  }

  #catchUpLater(): void {
    this.#queue.run(() => this.#catchUp()).catch((error: unknown) => this.emit('error', asClientError(error)));
  }

  async #currentModel(): Promise<SharedModel> {
    if (this.#model !== null) return this.#model;
    if (this.#options.serverUrl === undefined) throw new ShopperClientError('MODEL_UNAVAILABLE', 'no model: pass `model`, or a `serverUrl` to load it from');
    return this.refreshModel();
  }

  /** Switches to `model` if it is newer than the one in use. */
  #useModel(model: SharedModel): void {
    if (this.#model !== null && model.version <= this.#model.version) return;
    this.#model = model;
    this.emit('modelUpdated', { modelVersion: model.version });
  }

  #features(model: SharedModel): ItemFeatures {
    const categories = this.#options.itemCategories;
    if (categories === undefined) return { kind: 'embeddings', embeddings: embeddingsView(model.shape, model.values), dim: model.shape.dim };
    if (categories.length !== model.shape.numItems) {
      throw new RangeError(`expected itemCategories to have one entry per item (${model.shape.numItems}), got ${categories.length}`);
    }
    return { kind: 'categories', categories: Int32Array.from(categories) };
  }

  /** The shopper's vector for this model and history: fitted on the device, stored on the device only. */
  async #userVector(model: SharedModel, events: readonly ShoppingEvent[], epoch: Epoch): Promise<Float32Array> {
    const key = historyKey(events);
    const cached = this.#vector;
    if (cached !== null && cached.modelVersion === model.version && cached.historyKey === key && cached.values.length === model.shape.dim) return cached.values;
    const values = fitUserVector({
      model,
      positives: positiveItems(events, this.#options.eventWeights),
      random: this.#random,
      config: { ...this.#options.training, userEpochs: this.#options.fitEpochs ?? DEFAULT_FIT_EPOCHS },
    });
    try {
      await this.#store.writeRecord('userVector', { values: Array.from(values), modelVersion: model.version, historyKey: key }, this.#guard(epoch, 'storing'));
    } catch (error) {
      if (!isGuardRefusal(error)) throw error;
      // Deleted or withdrawn elsewhere meanwhile: the vector is neither stored nor kept.
      await this.#catchUp();
      return values;
    }
    this.#vector = { modelVersion: model.version, historyKey: key, values };
    return values;
  }

  #createTransport(serverUrl: string): RoundParticipant {
    const transport = this.#options.transport;
    const client = createRoundParticipant({
      url: serverUrl,
      token: () => this.#freshToken(serverUrl),
      train: (round) => this.#train(round),
      beforeRound: (round) => this.#decide(round),
      ...(transport?.path !== undefined ? { path: transport.path } : {}),
      ...(transport?.transports !== undefined ? { transports: transport.transports } : {}),
      ...(transport?.reconnect !== undefined ? { reconnect: transport.reconnect } : {}),
      ...(this.#options.noiseSource !== undefined ? { noiseSource: this.#options.noiseSource } : {}),
    });
    client.on('rejected', (rejection) => {
      if (rejection.reason === 'BAD_TOKEN') this.#token = null;
    });
    client.on('error', (error) => this.emit('error', error));
    client.on('connected', () => this.emit('participationChanged', { participating: true, waitingForTurn: false }));
    client.on('disconnected', () => this.emit('participationChanged', { participating: false, waitingForTurn: false }));
    client.on('stopped', () => this.emit('participationChanged', { participating: false, waitingForTurn: false }));
    client.on('updateSent', ({ roundId, bytes }) => void this.#confirmSent(roundId, bytes));
    client.on('roundClosed', ({ roundId, outcome, modelVersion }) => {
      // A charged update not sent by now never will be (the transport drops late ones).
      for (const charged of this.#charged.keys()) if (charged <= roundId) this.#charged.delete(charged);
      this.emit('roundClosed', { roundId, outcome, modelVersion });
      if (outcome === 'applied' && (this.#model === null || modelVersion > this.#model.version)) {
        this.refreshModel().catch((error: unknown) => this.emit('error', asClientError(error)));
      }
    });
    return client;
  }

  /**
   * A token from `POST /enrol`, kept in memory only: a new page load (or the
   * tab that takes over the device's place) enrols afresh, so the server
   * cannot link one visit's updates to the next's. One tab at a time holds
   * the place, so the server still sees one client per device at a time.
   */
  async #freshToken(serverUrl: string): Promise<string> {
    if (this.#token !== null && this.#token.expiresAt > this.#now() + 60_000) return this.#token.token;
    const enrolled = await enrol(serverUrl, {
      ...(this.#options.enrolmentKey !== undefined ? { enrolmentKey: this.#options.enrolmentKey } : {}),
      ...(this.#options.fetch !== undefined ? { fetch: this.#options.fetch } : {}),
    });
    this.#token = { token: enrolled.token, expiresAt: enrolled.expiresAt };
    return enrolled.token;
  }

  /** The transport's `beforeRound` hook: take part only with consent, known DP parameters and budget to spare (in the stored, shared ledger). */
  async #decide(round: RoundInvitation): Promise<boolean> {
    let reason = this.#consentDeclines() ?? (round.privacy === null ? 'no-privacy' : null);
    if (reason === null && round.privacy !== null) {
      const { budget } = await loadPersonalBudget(this.#store, this.#budgetEpsilon);
      reason = this.#consentDeclines() ?? (budget.wouldExceed(round.privacy) ? 'budget' : null);
    }
    if (reason !== null) {
      this.emit('roundDeclined', { roundId: round.roundId, reason });
      return false;
    }
    this.emit('roundJoined', { roundId: round.roundId });
    return true;
  }

  #consentDeclines(): DeclineReason | null {
    return !allowsContributing(this.#consent) || this.#closed ? 'consent' : null;
  }

  /**
   * The training callback: trains on the stored history and hands the raw
   * delta to the transport, which clips and noises it exactly as the round
   * says. Before the delta is handed over, the round is charged to the
   * stored ledger in one transaction that checks the budget, the consent
   * and the deletion epoch (`chargeStoredLedger`); if the charge is not
   * durable, nothing is sent. Should the update then not leave after all,
   * the device has over-counted, never under-counted.
   */
  #train(round: TrainingRound): Promise<TrainingResult | null> {
    const epoch = this.#epoch;
    return this.#queue.run(async () => {
      const { privacy } = round;
      if (this.#consentDeclines() !== null || privacy === null || epoch !== this.#epoch) return null;
      this.#useModel(round.model);
      const events = await this.#store.readEvents();
      const vector = this.#vector !== null && this.#vector.values.length === round.model.shape.dim ? this.#vector.values : undefined;
      const local = computeLocalDelta({
        model: round.model,
        events,
        random: this.#random,
        ...(vector !== undefined ? { userVector: vector } : {}),
        ...(this.#options.training !== undefined ? { training: this.#options.training } : {}),
        ...(this.#options.eventWeights !== undefined ? { eventWeights: this.#options.eventWeights } : {}),
      });
      // Consent may have changed, or everything been deleted, while training: nothing is charged or sent then.
      if (this.#consentDeclines() !== null || epoch !== this.#epoch) return null;
      let entry: UpdateLogEntry;
      try {
        entry = await chargeStoredLedger(this.#store, {
          budgetEpsilon: this.#budgetEpsilon,
          privacy,
          guard: this.#guard(epoch, 'contributing'),
          entry: (charge) => ({
            roundId: round.roundId,
            time: this.#now(),
            bytes: updateBytes(round.model.shape),
            clipNorm: privacy.clipNorm,
            clientNoiseMultiplier: privacy.clientNoiseMultiplier,
            accountedNoiseMultiplier: privacy.accountedNoiseMultiplier,
            placement: privacy.placement,
            epsilon: charge.epsilon,
            delta: charge.delta,
            sent: false,
          }),
        });
      } catch (error) {
        if (error instanceof ShopperClientError && error.code === 'BUDGET_EXCEEDED') {
          this.emit('roundDeclined', { roundId: round.roundId, reason: 'budget' });
        } else if (isGuardRefusal(error)) {
          await this.#catchUp();
        } else {
          // Unrecorded spending must not leave the device.
          this.emit('error', asClientError(error));
        }
        return null;
      }
      this.#charged.set(round.roundId, entry);
      this.emit('privacyChanged', {});
      this.#post({ kind: 'privacy', generation: epoch.generation });
      return { delta: local.delta, exampleCount: local.exampleCount };
    });
  }

  /** Marks the round's log entry as sent, with the size the transport reports. */
  #confirmSent(roundId: number, bytes: number): Promise<void> {
    const epoch = this.#epoch;
    const charged = this.#charged.get(roundId);
    this.#charged.delete(roundId);
    return this.#queue.run(async () => {
      let entry = charged === undefined ? null : { ...charged, bytes, sent: true };
      if (!this.#closed) {
        try {
          const stored = await markUpdateSent(this.#store, roundId, bytes, this.#guard(epoch));
          if (stored !== null) {
            entry = stored;
            this.emit('privacyChanged', {});
            this.#post({ kind: 'privacy', generation: epoch.generation });
          }
        } catch (error) {
          if (isGuardRefusal(error)) await this.#catchUp().catch((e: unknown) => this.emit('error', asClientError(e)));
          else this.emit('error', asClientError(error));
        }
      }
      if (entry !== null) this.emit('updateSent', { roundId, entry });
    });
  }
}

function asClientError(error: unknown): ShopperClientError {
  if (error instanceof ShopperClientError) return error;
  return new ShopperClientError('STORAGE_FAILED', error instanceof Error ? error.message : 'unknown failure', { cause: error });
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
 * await shopper.track({ item: 42, type: 'view' });
 * const { items } = await shopper.recommend(8, { diversity: 0.3 });
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
  const consent = parseStoredConsent(await storage.readRecord('consent'));
  const vector = parseStoredUserVector(await storage.readRecord('userVector'));
  return new Shopper(options, { generation, consent, vector });
}
