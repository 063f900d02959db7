import type { Catalogue } from '@fedrec/core/catalogue';
import { allowsStoring } from '../consent/consent-level.js';
import { parseStoredCatalogue, toStoredCatalogue } from '../storage/stored-catalogue.js';
import { isGuardRefusal } from '../storage/write-guard.js';
import { fetchCatalogue } from './fetch-catalogue.js';
import { guardFor, type Epoch, type ShopperContext } from './shopper-context.js';
import { ShopperClientError, toShopperClientError } from './shopper-client-error.js';

/**
 * The shop's public catalogue as this client knows it, for the on-device
 * recommender. The copy stored on the device is read first and offered to
 * the server by version (`If-None-Match`), so an unchanged catalogue is not
 * downloaded again; the server's answer wins (a new catalogue, or 404: the
 * shop has none), and when the server cannot be reached the stored copy
 * serves. Every catalogue received is stored where consent allows storing.
 */
export class CurrentCatalogue {
  readonly #context: ShopperContext;
  #catalogue: Catalogue | null = null;
  /** True once the server answered, or a stored copy was adopted while it could not: `current()` then asks nothing more. */
  #known = false;
  #loading: Promise<Catalogue | null> | null = null;
  #asking: Promise<Catalogue | null> | null = null;
  /** The version known to be in the store, and the deletion epoch it was stored in (a `forget()` starts a new one). */
  #stored: { readonly epoch: Epoch; readonly version: string } | null = null;
  /** What the last refresh for a newer model was asked for (`forModel`), so a server that cannot supply it is not asked on every call. */
  #askedFor: string | null = null;

  constructor(context: ShopperContext) {
    this.#context = context;
  }

  /** Null when none is known (yet, or the shop has none). */
  get catalogue(): Catalogue | null {
    return this.#catalogue;
  }

  /**
   * The catalogue to recommend with: loaded once per client (stored copy,
   * then the server), null when the shop has none or none can be had (the
   * client then recommends as without one, and asks again next time).
   * Rejects with `CATALOGUE_UNAVAILABLE`, naming the stored record's first
   * bad field in `path`, when the server cannot be reached and the stored
   * copy is unusable; nothing else stored is touched.
   */
  current(): Promise<Catalogue | null> {
    if (this.#known) return Promise.resolve(this.#catalogue);
    this.#loading ??= this.#load().finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  /**
   * The catalogue for a model of `rows` rows whose server named catalogue
   * `serverVersion` (null: unknown): `current()`, refreshed once when it is
   * out of date for that model (fewer products than rows, or another
   * version: products were added or retired since it was stored). When the
   * refresh fails the catalogue held serves on; the next model asks again.
   */
  async forModel(rows: number | null, serverVersion: string | null): Promise<Catalogue | null> {
    const catalogue = await this.current();
    const stale = catalogue === null ? serverVersion !== null : (rows !== null && rows > catalogue.itemIds.length) || (serverVersion !== null && serverVersion !== catalogue.version);
    const key = `${rows ?? ''}/${serverVersion ?? ''}`;
    if (!stale || this.#askedFor === key || this.#context.options.serverUrl === undefined) return catalogue;
    this.#askedFor = key;
    try {
      return await this.refresh();
    } catch (error) {
      if (error instanceof ShopperClientError && error.code === 'CATALOGUE_UNAVAILABLE') return this.#catalogue;
      throw error;
    }
  }

  /** Asks the server now (with the held version): resolves to the catalogue in use afterwards, or rejects with `CATALOGUE_UNAVAILABLE`. */
  refresh(): Promise<Catalogue | null> {
    const { serverUrl } = this.#context.options;
    if (serverUrl === undefined) return Promise.reject(new ShopperClientError('CATALOGUE_UNAVAILABLE', 'no serverUrl to load the catalogue from'));
    this.#asking ??= fetchCatalogue(serverUrl, this.#catalogue?.version ?? null, this.#context.options.fetch)
      .then((answer) => {
        if (answer.kind === 'catalogue') this.#use(answer.catalogue);
        // The shop withdrew its catalogue: recommend as without one (a stored copy stays until forget(), unused).
        else if (answer.kind === 'none') this.#catalogue = null;
        this.#known = true;
        return this.#catalogue;
      })
      .finally(() => {
        this.#asking = null;
      });
    return this.#asking;
  }

  async #load(): Promise<Catalogue | null> {
    const context = this.#context;
    const stored = parseStoredCatalogue(await context.queue.run(() => context.store.readRecord('catalogue')));
    if (stored.ok && stored.catalogue !== null && this.#catalogue === null) {
      this.#catalogue = stored.catalogue;
      this.#stored = { epoch: context.state.epoch, version: stored.catalogue.version };
    }
    let unreachable: ShopperClientError | null = null;
    if (context.options.serverUrl !== undefined) {
      try {
        return await this.refresh();
      } catch (error) {
        if (!(error instanceof ShopperClientError) || error.code !== 'CATALOGUE_UNAVAILABLE') throw error;
        unreachable = error;
      }
    }
    if (this.#catalogue !== null) {
      this.#known = true;
      return this.#catalogue;
    }
    if (!stored.ok) {
      const why = unreachable !== null ? unreachable.message : 'there is no `serverUrl` to load one from';
      throw new ShopperClientError('CATALOGUE_UNAVAILABLE', `no catalogue: ${why}, and the stored catalogue is unusable (${stored.path || 'catalogue'}: ${stored.problem}); the next catalogue received replaces it`, {
        path: stored.path === '' ? 'catalogue' : `catalogue.${stored.path}`,
        ...(unreachable !== null ? { cause: unreachable } : {}),
      });
    }
    // Nothing stored and nothing from the server: recommend as without a catalogue, and ask again next time.
    return null;
  }

  #use(catalogue: Catalogue): void {
    if (this.#catalogue?.version === catalogue.version) return;
    this.#catalogue = catalogue;
    this.persist();
  }

  /**
   * Stores the catalogue in use if consent allows storing and the store does
   * not hold it yet (this epoch): called on every change, and when the
   * shopper opts in, so a catalogue loaded before the choice is kept too. A
   * failure is reported (`error`), never thrown: the catalogue is a cache.
   */
  persist(): void {
    const context = this.#context;
    const catalogue = this.#catalogue;
    const epoch = context.state.epoch;
    if (catalogue === null || !allowsStoring(context.state.consent) || context.state.closed) return;
    if (this.#stored !== null && this.#stored.epoch === epoch && this.#stored.version === catalogue.version) return;
    context.queue
      .run(async () => {
        // Replaced by a newer one, or written by then: nothing to do.
        if (this.#catalogue !== catalogue || context.state.epoch !== epoch || context.state.closed) return;
        if (this.#stored !== null && this.#stored.epoch === epoch && this.#stored.version === catalogue.version) return;
        await context.store.writeRecord('catalogue', toStoredCatalogue(catalogue), guardFor(context, epoch, 'storing'));
        this.#stored = { epoch, version: catalogue.version };
      })
      .catch((error: unknown) => {
        // Consent withdrawn or everything deleted meanwhile (perhaps in another tab): not storing it is right.
        if (!isGuardRefusal(error)) context.emit('error', toShopperClientError(error));
      });
  }
}
