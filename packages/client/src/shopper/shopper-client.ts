import type { EventTypeName, EventWeights, ItemFeatures, LocalTrainingConfig, RandomSource, RoundPrivacy, SharedModel, ShoppingEvent } from '@fedrec/core';
import { EVENT_TYPE_NAMES, biasesView, createCryptoRandomSource, embeddingsView, fitUserVector, positiveItems, scoreAllItems } from '@fedrec/core';
import { allowsContributing, allowsStoring, assertConsentLevel, type ConsentLevel } from '../consent/consent-level.js';
import { PersonalBudget } from '../privacy/personal-budget.js';
import type { UpdateLogEntry } from '../privacy/update-log-entry.js';
import { rankRecommendations } from '../recommend/rank-recommendations.js';
import type { ShopperStore, StoredPrivacy } from '../storage/shopper-store.js';
import { parseStoredConsent, parseStoredPrivacy, parseStoredUserVector } from '../storage/stored-records.js';
import type { FedRecClient, RoundInvitation } from '../transport/fedrec-client.js';
import { createFedRecClient } from '../transport/fedrec-client.js';
import type { BackoffOptions } from '../transport/backoff.js';
import { enrol } from '../transport/enrol.js';
import type { FedRecClientError } from '../transport/client-error.js';
import type { TrainingRound, TrainingResult } from '../transport/training-callback.js';
import { TypedEmitter } from '../transport/typed-emitter.js';
import { fetchSharedModel } from './fetch-model.js';
import { computeLocalDelta, eventsInCatalogue, updateBytes } from './local-update.js';
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
  /** An event was stored. */
  historyChanged: { readonly events: number };
  /** A newer shared model is in use. */
  modelUpdated: { readonly modelVersion: number };
  /** The device accepted a round's invitation and is training. */
  roundJoined: { readonly roundId: number };
  roundDeclined: { readonly roundId: number; readonly reason: DeclineReason };
  /** An update left the device; `entry` is what the privacy dashboard lists. */
  updateSent: { readonly roundId: number; readonly entry: UpdateLogEntry };
  roundClosed: { readonly roundId: number; readonly outcome: 'applied' | 'abandoned'; readonly modelVersion: number };
  /** The device connected to the aggregation server (available for rounds), or left it. */
  participationChanged: { readonly participating: boolean };
  /** Everything stored was deleted. */
  forgotten: Record<string, never>;
  /** Failures in the background (model refresh, transport, storage during a round). Never fatal. */
  error: ShopperClientError | FedRecClientError;
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
  /** Whether the device is connected to the server and available for rounds. */
  readonly participating: boolean;
  /**
   * Records the shopper's choice (stored) and applies it at once: `off`
   * stops storing and withdraws from rounds, `contribute` joins them.
   * Going `off` keeps what is already stored (unused) until `forget()`.
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

class Shopper extends TypedEmitter<ShopperClientEvents> implements ShopperClient {
  readonly #options: ShopperClientOptions;
  readonly #store: ShopperStore;
  readonly #queue = new SerialQueue();
  readonly #now: () => number;
  readonly #random: RandomSource;
  readonly #budgetEpsilon: number;
  #consent: ConsentLevel;
  #consentChosen: boolean;
  #budget: PersonalBudget;
  #updates: UpdateLogEntry[];
  #model: SharedModel | null;
  #modelLoading: Promise<SharedModel> | null = null;
  /** The fitted vector for (model version, history): refitted when either changes. */
  #vector: { readonly modelVersion: number; readonly historyKey: string; readonly values: Float32Array } | null = null;
  #transport: FedRecClient | null = null;
  #token: { readonly token: string; readonly expiresAt: number } | null = null;
  #closed = false;

  constructor(options: ShopperClientOptions, state: { consent: ConsentLevel | null; privacy: StoredPrivacy | null; vector: ReturnType<typeof parseStoredUserVector> }) {
    super();
    this.#options = options;
    this.#store = options.storage;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? createCryptoRandomSource();
    this.#budgetEpsilon = options.personalBudget?.epsilon ?? DEFAULT_BUDGET_EPSILON;
    this.#budget = new PersonalBudget(this.#budgetEpsilon, state.privacy);
    this.#updates = [...(state.privacy?.updates ?? [])];
    this.#consent = state.consent ?? options.consent ?? 'off';
    this.#consentChosen = state.consent !== null;
    this.#model = options.model ?? null;
    if (state.vector !== null) {
      this.#vector = { modelVersion: state.vector.modelVersion, historyKey: state.vector.historyKey, values: Float32Array.from(state.vector.values) };
    }
    // A stored `contribute` joins rounds straight away.
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
    return this.#transport?.connected === true;
  }

  /** Starts or stops the transport to match consent. */
  #syncTransport(): void {
    const want = allowsContributing(this.#consent) && this.#options.serverUrl !== undefined && !this.#closed;
    if (want && this.#transport === null) {
      this.#transport = this.#createTransport(this.#options.serverUrl!);
      this.#transport.start();
    } else if (!want && this.#transport !== null) {
      const transport = this.#transport;
      this.#transport = null;
      // Joining again enrols afresh, so the server cannot link the two sessions by client id.
      this.#token = null;
      transport.stop();
    }
  }

  async setConsent(level: ConsentLevel): Promise<void> {
    assertConsentLevel(level);
    this.#assertOpen();
    // In force at once, before anything is awaited: a withdrawal stops the
    // transport now, and a round already training sees it before charging or
    // sending. Storing the choice follows, in order with other changes; if
    // that fails the shopper's latest wish still holds for this session.
    this.#consent = level;
    this.#consentChosen = true;
    this.#syncTransport();
    this.emit('consentChanged', { consent: level, chosen: true });
    await this.#queue.run(() => this.#store.writeRecord('consent', level));
  }

  async track(event: TrackedEvent): Promise<boolean> {
    this.#assertOpen();
    assertTrackedEvent(event, this.#model?.shape.numItems ?? null);
    const stored: ShoppingEvent = { item: event.item, type: event.type, time: event.time ?? this.#now() };
    // Consent as it was when the shopper acted; a later forget() is queued after this write and deletes it.
    const allowed = allowsStoring(this.#consent);
    return this.#queue.run(async () => {
      if (!allowed) return false;
      await this.#store.appendEvent(stored);
      const events = await this.#store.readEvents();
      this.emit('historyChanged', { events: events.length });
      return true;
    });
  }

  async recommend(k: number, options: RecommendOptions = {}): Promise<RecommendationList> {
    if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`expected k to be a non-negative integer, got ${k}`);
    const diversity = options.diversity ?? 0;
    if (typeof diversity !== 'number' || !(diversity >= 0 && diversity <= 1)) throw new RangeError(`expected diversity in [0, 1], got ${String(diversity)}`);
    this.#assertOpen();
    const model = await this.#currentModel();
    return this.#queue.run(async () => {
      const features = this.#features(model);
      const events = allowsStoring(this.#consent) ? eventsInCatalogue(await this.#store.readEvents(), model.shape.numItems) : [];
      if (events.length === 0) {
        const popularity = biasesView(model.shape, model.values);
        const items = rankRecommendations({ scores: popularity, k, diversity, features });
        return { items: items.map((item) => ({ item, score: popularity[item]! })), personalised: false, modelVersion: model.version };
      }
      const vector = await this.#userVector(model, events);
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
      return {
        consent: this.#consent,
        consentChosen: this.#consentChosen,
        stored: { events: events.length, byType, oldest, newest, userVector, retention: this.#store.retention },
        updates: this.#updates.map((entry) => ({ ...entry })),
        privacy: { epsilon: this.#budget.epsilon, delta: this.#budget.delta, budget: this.#budgetEpsilon, rounds: this.#budget.rounds },
      };
    });
  }

  async forget(): Promise<void> {
    this.#assertOpen();
    // Withdrawn at once; the deletion is queued after any write already under way, so nothing lands after it.
    this.#consent = 'off';
    this.#consentChosen = false;
    this.#syncTransport();
    await this.#queue.run(async () => {
      await this.#store.clear();
      this.#budget = new PersonalBudget(this.#budgetEpsilon);
      this.#updates = [];
      this.#vector = null;
    });
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
    // Out of rounds at once; the store closes after the writes already queued.
    this.#closed = true;
    this.#syncTransport();
    await this.#queue.run(() => this.#store.close());
  }

  #assertOpen(): void {
    if (this.#closed) throw new ShopperClientError('CLIENT_CLOSED', 'the shopper client was used after close()');
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
  async #userVector(model: SharedModel, events: readonly ShoppingEvent[]): Promise<Float32Array> {
    const key = historyKey(events);
    const cached = this.#vector;
    if (cached !== null && cached.modelVersion === model.version && cached.historyKey === key && cached.values.length === model.shape.dim) return cached.values;
    const values = fitUserVector({
      model,
      positives: positiveItems(events, this.#options.eventWeights),
      random: this.#random,
      config: { ...this.#options.training, userEpochs: this.#options.fitEpochs ?? DEFAULT_FIT_EPOCHS },
    });
    this.#vector = { modelVersion: model.version, historyKey: key, values };
    await this.#store.writeRecord('userVector', { values: Array.from(values), modelVersion: model.version, historyKey: key });
    return values;
  }

  #createTransport(serverUrl: string): FedRecClient {
    const transport = this.#options.transport;
    const client = createFedRecClient({
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
    client.on('connected', () => this.emit('participationChanged', { participating: true }));
    client.on('disconnected', () => this.emit('participationChanged', { participating: false }));
    client.on('stopped', () => this.emit('participationChanged', { participating: false }));
    client.on('updateSent', ({ roundId, bytes }) => void this.#confirmSent(roundId, bytes));
    client.on('roundClosed', ({ roundId, outcome, modelVersion }) => {
      this.emit('roundClosed', { roundId, outcome, modelVersion });
      if (outcome === 'applied' && (this.#model === null || modelVersion > this.#model.version)) {
        this.refreshModel().catch((error: unknown) => this.emit('error', asClientError(error)));
      }
    });
    return client;
  }

  /**
   * A token from `POST /enrol`, kept in memory only: a new page load enrols
   * afresh, so the server cannot link one visit's updates to the next's.
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

  /** The transport's `beforeRound` hook: take part only with consent, known DP parameters and budget to spare. */
  #decide(round: RoundInvitation): boolean {
    const reason = this.#declineReason(round.privacy);
    if (reason !== null) {
      this.emit('roundDeclined', { roundId: round.roundId, reason });
      return false;
    }
    this.emit('roundJoined', { roundId: round.roundId });
    return true;
  }

  #declineReason(privacy: RoundPrivacy | null): DeclineReason | null {
    if (!allowsContributing(this.#consent) || this.#closed) return 'consent';
    if (privacy === null) return 'no-privacy';
    if (this.#budget.wouldExceed(privacy)) return 'budget';
    return null;
  }

  /**
   * The training callback: trains on the stored history and hands the raw
   * delta to the transport, which clips and noises it exactly as the round
   * says. The budget is checked again and charged, and the log entry stored,
   * before the delta is handed over: if anything fails on the way the device
   * has over-counted, never under-counted.
   */
  #train(round: TrainingRound): Promise<TrainingResult | null> {
    return this.#queue.run(async () => {
      const { privacy } = round;
      if (this.#declineReason(privacy) !== null || privacy === null) return null;
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
      // Consent may have changed, or another round been charged, while training: nothing is charged or sent then.
      if (this.#declineReason(privacy) !== null) return null;
      const charge = this.#budget.charge(privacy);
      const entry: UpdateLogEntry = {
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
      };
      this.#updates.push(entry);
      try {
        await this.#savePrivacy();
      } catch (error) {
        // Unrecorded spending must not leave the device; the in-memory charge stays (conservative).
        this.emit('error', asClientError(error));
        return null;
      }
      return { delta: local.delta, exampleCount: local.exampleCount };
    });
  }

  /** Marks the round's log entry as sent, with the size the transport reports. */
  #confirmSent(roundId: number, bytes: number): Promise<void> {
    return this.#queue.run(async () => {
      const index = this.#updates.findLastIndex((entry) => entry.roundId === roundId && !entry.sent);
      if (index < 0) return;
      const entry = { ...this.#updates[index]!, bytes, sent: true };
      this.#updates[index] = entry;
      try {
        if (!this.#closed) await this.#savePrivacy();
      } catch (error) {
        this.emit('error', asClientError(error));
      }
      this.emit('updateSent', { roundId, entry });
    });
  }

  #savePrivacy(): Promise<void> {
    return this.#store.writeRecord('privacy', { ...this.#budget.toStored(), updates: this.#updates });
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
  const privacy = parseStoredPrivacy(await storage.readRecord('privacy'));
  if (!privacy.ok) {
    throw new ShopperClientError('STORAGE_CORRUPT', `${privacy.problem}; refusing to restart the personal ε budget (clear the store to start over)`);
  }
  const consent = parseStoredConsent(await storage.readRecord('consent'));
  const vector = parseStoredUserVector(await storage.readRecord('userVector'));
  return new Shopper(options, { consent, privacy: privacy.value, vector });
}
