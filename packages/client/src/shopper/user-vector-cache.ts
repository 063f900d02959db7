import type { SharedModel, ShoppingEvent } from '@fedrec/core';
import { EVENT_TYPE_NAMES, fitUserVector, positiveItems } from '@fedrec/core';
import type { StoredUserVector } from '../storage/shopper-store.js';
import { isGuardRefusal } from '../storage/write-guard.js';
import { guardFor, type Epoch, type ShopperContext } from './shopper-context.js';

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

/**
 * The shopper's own vector, fitted on the device and stored on the device
 * only: refitted when the model version or the history changes, so
 * recommending again costs nothing until one of them does.
 */
export class UserVectorCache {
  readonly #context: ShopperContext;
  #vector: { readonly modelVersion: number; readonly historyKey: string; readonly values: Float32Array } | null = null;

  constructor(context: ShopperContext, stored: StoredUserVector | null) {
    this.#context = context;
    if (stored !== null) {
      this.#vector = { modelVersion: stored.modelVersion, historyKey: stored.historyKey, values: Float32Array.from(stored.values) };
    }
  }

  /** The cached vector if it fits a model of this dimension (a round trains from it), whatever history it was fitted on. */
  valuesFor(dim: number): Float32Array | undefined {
    return this.#vector !== null && this.#vector.values.length === dim ? this.#vector.values : undefined;
  }

  /** Everything was deleted: the vector is neither kept nor used. */
  clear(): void {
    this.#vector = null;
  }

  /** The shopper's vector for this model and history: fitted on the device, stored on the device only. */
  async fit(model: SharedModel, events: readonly ShoppingEvent[], epoch: Epoch): Promise<Float32Array> {
    const { options, store } = this.#context;
    const key = historyKey(events);
    const cached = this.#vector;
    if (cached !== null && cached.modelVersion === model.version && cached.historyKey === key && cached.values.length === model.shape.dim) return cached.values;
    const values = fitUserVector({
      model,
      positives: positiveItems(events, options.eventWeights),
      random: this.#context.random,
      config: { ...options.training, userEpochs: options.fitEpochs ?? DEFAULT_FIT_EPOCHS },
    });
    try {
      await store.writeRecord('userVector', { values: Array.from(values), modelVersion: model.version, historyKey: key }, guardFor(this.#context, epoch, 'storing'));
    } catch (error) {
      if (!isGuardRefusal(error)) throw error;
      // Deleted or withdrawn elsewhere meanwhile: the vector is neither stored nor kept.
      await this.#context.catchUp();
      return values;
    }
    this.#vector = { modelVersion: model.version, historyKey: key, values };
    return values;
  }
}
