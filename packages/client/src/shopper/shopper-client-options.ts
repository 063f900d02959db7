import type { EventWeights, LocalTrainingConfig, RandomSource, SharedModel } from '@fedrec/core';
import type { ConsentLevel } from '../consent/consent-level.js';
import type { BackoffOptions } from '../rounds/backoff.js';
import type { ShopperStore } from '../storage/shopper-store.js';

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
  /**
   * A model to start from, e.g. shipped with the page as a static file
   * (`decodeModel(new Uint8Array(await (await fetch('/fedrec-model.bin')).arrayBuffer()))`):
   * recommendations need no request to the server. It is used until a newer
   * version arrives: `refreshModel()` or a round's model; a newer one stored
   * on an earlier visit is used instead from the start. Without it the
   * client loads the model from `serverUrl` on first use, and falls back to
   * the one stored on the device when the server cannot be reached.
   */
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
