import type { RandomSource } from '@fedrec/core';
import type { PrivacyNotice } from '@fedrec/core/protocol';
import type { ConsentLevel } from '../consent/consent-level.js';
import type { StoreChange } from '../coordination/store-change.js';
import type { ShopperStore } from '../storage/shopper-store.js';
import type { WriteGuard, WritePurpose } from '../storage/write-guard.js';
import type { SerialQueue } from './serial-queue.js';
import type { ServerReachability } from './server-reachability.js';
import type { ShopperClientEvents } from './shopper-client-events.js';
import type { ShopperClientOptions } from './shopper-client-options.js';

/**
 * The deletion epoch a client acts in: replaced by every `forget()` (here or
 * in another tab). An operation takes the epoch current when it is called,
 * and writes with that epoch's generation: one called before this client
 * heard of a deletion is refused by the store, while one queued behind this
 * client's own `forget()` writes under the generation that forget produced.
 */
export interface Epoch {
  /** NaN while this client's own `clear()` is under way. */
  generation: number;
}

/** What a shopper client holds in memory about the shopper's choices; its parts read it, and consent handling changes it. */
export interface ShopperState {
  epoch: Epoch;
  consent: ConsentLevel;
  consentChosen: boolean;
  /** The privacy notice version the chosen consent was given under; null when none was known (or none chosen). */
  consentNotice: string | null;
  /** A `contribute` was chosen in this session before any notice arrived: the next notice received is the one it was chosen under. */
  noticePending: boolean;
  /** The server's privacy notice as last received; null before the first. */
  notice: PrivacyNotice | null;
  closed: boolean;
}

/**
 * What the parts of one shopper client (consent, recommendation, rounds…)
 * share: one store, one queue, one state and one event stream, so that they
 * act as one client.
 */
export interface ShopperContext {
  readonly options: ShopperClientOptions;
  readonly store: ShopperStore;
  /** Every store operation of the client runs here, in call order (see `SerialQueue`). */
  readonly queue: SerialQueue;
  /** Clock, in milliseconds since the epoch. */
  readonly now: () => number;
  /** Negative sampling stream (not the DP noise). */
  readonly random: RandomSource;
  /** The most ε this device spends on training rounds, in total (validated). */
  readonly budgetEpsilon: number;
  readonly state: ShopperState;
  readonly emit: <K extends keyof ShopperClientEvents>(event: K, payload: ShopperClientEvents[K]) => void;
  /** Whether the server answers, told as `offline` / `online`: every request to it reports here. */
  readonly reachability: ServerReachability;
  /** Tells the other tabs sharing the store; a failure is reported, not thrown. */
  readonly post: (change: StoreChange) => void;
  /** Adopts what the store holds now, after a refused write or a message from another generation (see `ShopperConsent.catchUp`). Call it inside the queue. */
  readonly catchUp: () => Promise<void>;
}

/** A guard for a write decided now, in `epoch`. */
export function guardFor(context: ShopperContext, epoch: Epoch, purpose?: WritePurpose): WriteGuard {
  return { generation: epoch.generation, ...(purpose !== undefined ? { purpose } : {}), defaultConsent: context.options.consent ?? 'off' };
}
