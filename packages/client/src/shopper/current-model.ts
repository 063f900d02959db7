import type { SharedModel } from '@fedrec/core';
import { allowsStoring } from '../consent/consent-level.js';
import { parseStoredModel, toStoredModel } from '../storage/stored-model.js';
import { isGuardRefusal } from '../storage/write-guard.js';
import { fetchSharedModel } from './fetch-model.js';
import { guardFor, type Epoch, type ShopperContext } from './shopper-context.js';
import { ShopperClientError, toShopperClientError } from './shopper-client-error.js';

/**
 * The shared model a shopper client uses: the one it started with, replaced
 * only by newer ones (from the server, or a round's). Every model it
 * switches to is kept in the store (where consent allows storing), so that
 * a later visit with the server unreachable still recommends: the server is
 * asked first, and the stored model is the fallback.
 */
export class CurrentModel {
  readonly #context: ShopperContext;
  #model: SharedModel | null;
  #loading: Promise<SharedModel> | null = null;
  /** The version known to be in the store, and the deletion epoch it was stored in (a `forget()` starts a new one). */
  #stored: { readonly epoch: Epoch; readonly version: number } | null = null;
  /** The catalogue version the server last said names its model's rows (`GET /model`); null until it says. */
  #serverCatalogueVersion: string | null = null;

  /**
   * @param stored the model stored on the device, read at start only when a
   * `model` was given (a model shipped with the page): the newer of the two
   * is used, so a returning shopper keeps the version a previous visit got.
   */
  constructor(context: ShopperContext, stored: SharedModel | null = null) {
    this.#context = context;
    const shipped = context.options.model ?? null;
    if (stored !== null && (shipped === null || stored.version > shipped.version)) {
      this.#model = stored;
      this.#stored = { epoch: context.state.epoch, version: stored.version };
    } else {
      this.#model = shipped;
    }
  }

  /** Null before one is loaded. */
  get model(): SharedModel | null {
    return this.#model;
  }

  /** The catalogue version the server last named with its model: a catalogue of another version is out of date. */
  get serverCatalogueVersion(): string | null {
    return this.#serverCatalogueVersion;
  }

  /**
   * The model in use. When there is none yet: the server's (`GET /model`),
   * or, when the server cannot be reached (or there is no `serverUrl`), the
   * one stored on the device. Rejects with `MODEL_UNAVAILABLE` when neither
   * is there, saying why for each, and with the stored record's first bad
   * field in `path` when it is unusable; nothing else stored is touched.
   */
  async current(): Promise<SharedModel> {
    if (this.#model !== null) return this.#model;
    const { serverUrl } = this.#context.options;
    let unreachable: ShopperClientError | null = null;
    if (serverUrl !== undefined) {
      try {
        return await this.refresh();
      } catch (error) {
        if (!(error instanceof ShopperClientError) || error.code !== 'MODEL_UNAVAILABLE') throw error;
        unreachable = error;
      }
    }
    // Another call may have loaded one while the server was failing.
    if (this.#model !== null) return this.#model;
    const stored = parseStoredModel(await this.#context.queue.run(() => this.#context.store.readRecord('model')));
    const why = unreachable !== null ? unreachable.message : 'no `model` was given and there is no `serverUrl` to load one from';
    if (!stored.ok) {
      throw new ShopperClientError('MODEL_UNAVAILABLE', `no model: ${why}, and the stored model is unusable (${stored.path || 'model'}: ${stored.problem}); the next model received replaces it`, {
        path: stored.path === '' ? 'model' : `model.${stored.path}`,
        ...(unreachable !== null ? { cause: unreachable } : {}),
      });
    }
    if (stored.model === null) throw new ShopperClientError('MODEL_UNAVAILABLE', `no model: ${why}, and none is stored on this device`, unreachable !== null ? { cause: unreachable } : undefined);
    this.#stored = { epoch: this.#context.state.epoch, version: stored.model.version };
    this.use(stored.model);
    return this.#model ?? stored.model;
  }

  /** Switches to `model` if it is newer than the one in use, and stores it for offline use. */
  use(model: SharedModel): void {
    if (this.#model !== null && model.version <= this.#model.version) return;
    this.#model = model;
    this.#context.emit('modelUpdated', { modelVersion: model.version });
    this.persist();
  }

  /**
   * Stores the model in use if consent allows storing and the store does not
   * hold it yet (this epoch): called on every switch, and when the shopper
   * opts in, so a model loaded before the choice is kept too. A failure is
   * reported (`error`), never thrown: the model is a cache.
   */
  persist(): void {
    const context = this.#context;
    const model = this.#model;
    const epoch = context.state.epoch;
    if (model === null || !allowsStoring(context.state.consent) || context.state.closed) return;
    if (this.#stored !== null && this.#stored.epoch === epoch && this.#stored.version >= model.version) return;
    context.queue
      .run(async () => {
        // Queued behind a newer one, or written by then: nothing to do.
        if (this.#model !== model || context.state.epoch !== epoch || context.state.closed) return;
        if (this.#stored !== null && this.#stored.epoch === epoch && this.#stored.version >= model.version) return;
        await context.store.writeRecord('model', toStoredModel(model), guardFor(context, epoch, 'storing'));
        this.#stored = { epoch, version: model.version };
      })
      .catch((error: unknown) => {
        // Consent withdrawn or everything deleted meanwhile (perhaps in another tab): not storing it is right.
        if (!isGuardRefusal(error)) context.emit('error', toShopperClientError(error));
      });
  }

  /**
   * Loads the current model from the server (one request at a time) and uses
   * it if newer. Tells `reachability` how the request went.
   */
  refresh(): Promise<SharedModel> {
    const { serverUrl } = this.#context.options;
    if (serverUrl === undefined) return Promise.reject(new ShopperClientError('MODEL_UNAVAILABLE', 'no serverUrl to load the model from'));
    this.#loading ??= fetchSharedModel(serverUrl, this.#context.options.fetch)
      .then(
        ({ model, catalogueVersion }) => {
          this.use(model);
          if (catalogueVersion !== null) this.#serverCatalogueVersion = catalogueVersion;
          this.#context.reachability.answered(model.version);
          return this.#model!;
        },
        (error: unknown) => {
          if (error instanceof ShopperClientError && error.code === 'MODEL_UNAVAILABLE') this.#context.reachability.failed(error.message, error);
          throw error;
        },
      )
      .finally(() => {
        this.#loading = null;
      });
    return this.#loading;
  }
}
