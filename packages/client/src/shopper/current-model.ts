import type { SharedModel } from '@fedrec/core';
import { fetchSharedModel } from './fetch-model.js';
import type { ShopperContext } from './shopper-context.js';
import { ShopperClientError } from './shopper-client-error.js';

/** The shared model a shopper client uses: the one it started with, replaced only by newer ones (from the server, or a round's). */
export class CurrentModel {
  readonly #context: ShopperContext;
  #model: SharedModel | null;
  #loading: Promise<SharedModel> | null = null;

  constructor(context: ShopperContext) {
    this.#context = context;
    this.#model = context.options.model ?? null;
  }

  /** Null before one is loaded. */
  get model(): SharedModel | null {
    return this.#model;
  }

  /** The model in use, loading it from the server when there is none yet. */
  async current(): Promise<SharedModel> {
    if (this.#model !== null) return this.#model;
    if (this.#context.options.serverUrl === undefined) throw new ShopperClientError('MODEL_UNAVAILABLE', 'no model: pass `model`, or a `serverUrl` to load it from');
    return this.refresh();
  }

  /** Switches to `model` if it is newer than the one in use. */
  use(model: SharedModel): void {
    if (this.#model !== null && model.version <= this.#model.version) return;
    this.#model = model;
    this.#context.emit('modelUpdated', { modelVersion: model.version });
  }

  /** Loads the current model from the server (one request at a time) and uses it if newer. */
  refresh(): Promise<SharedModel> {
    const { serverUrl } = this.#context.options;
    if (serverUrl === undefined) return Promise.reject(new ShopperClientError('MODEL_UNAVAILABLE', 'no serverUrl to load the model from'));
    this.#loading ??= fetchSharedModel(serverUrl, this.#context.options.fetch)
      .then((model) => {
        this.use(model);
        return this.#model!;
      })
      .finally(() => {
        this.#loading = null;
      });
    return this.#loading;
  }
}
