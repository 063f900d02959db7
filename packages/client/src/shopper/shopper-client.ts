import type { SharedModel } from '@fedrec/core';
import type { Catalogue } from '@fedrec/core/catalogue';
import type { PrivacyNotice } from '@fedrec/core/protocol';
import type { ConsentLevel } from '../consent/consent-level.js';
import type { RecommendationList, RecommendOptions } from './recommend-for-shopper.js';
import type { SimilarItemsList, SimilarItemsOptions } from './similar-items.js';
import type { ShopperClientEvents } from './shopper-client-events.js';
import type { TrackedEvent } from './tracked-event.js';
import type { TransparencyReport } from './transparency-report.js';

/**
 * The shopper's on-device client: the one entry point for shops (see
 * `createClient`). It stores the shopper's history on the device, recommends
 * there, and takes part in training rounds only with consent `contribute`.
 */
export interface ShopperClient {
  readonly consent: ConsentLevel;
  /** False until the shopper has chosen a level: show the consent banner. */
  readonly consentChosen: boolean;
  /**
   * Whether to ask the shopper (show the consent banner): nothing chosen
   * yet, or a chosen `contribute` was given under another privacy notice
   * than the server publishes now (`consentNeeded` event). Until the shopper
   * chooses again the device does not contribute; history and on-device
   * recommendations carry on.
   */
  readonly consentNeeded: boolean;
  /** The server's privacy notice as last received (`GET /privacy-notice`); null before the first. */
  readonly privacyNotice: PrivacyNotice | null;
  /**
   * The privacy notice version the chosen consent was given under (stored
   * with it); null when nothing is chosen, or the choice was made while the
   * client held no notice (or before notices existed).
   */
  readonly consentNoticeVersion: string | null;
  /** Version of the shared model in use; null before one is loaded. */
  readonly modelVersion: number | null;
  /** Content hash of the shop's catalogue in use; null before one is loaded, or when the shop has none. */
  readonly catalogueVersion: string | null;
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
  /**
   * Stores an event on the device if consent allows; resolves to whether it
   * was stored. Nothing is sent. `item` is the shop's product id (looked up in
   * the catalogue, asked again once for an id it does not list yet; an id it
   * still does not list rejects with a `RangeError`) or the model row.
   */
  track(event: TrackedEvent): Promise<boolean>;
  /**
   * The top `k` items for this shopper, computed on the device. Works
   * offline: when the server cannot be reached the client uses the last
   * model and catalogue it stored (see the `offline` event). Where the shop
   * has a catalogue (`GET /catalogue`), consent `local` — and any level
   * when no model is available — ranks by the shopper's own history against
   * it (`source: 'history'`): no round, no ε, nothing sent. Retired
   * products are never recommended; `exclude`, `candidates` and `attribute`
   * filter by product id and catalogue attribute.
   */
  recommend(k: number, options?: RecommendOptions): Promise<RecommendationList>;
  /**
   * Products like `productId` (for a product page), by the model's item
   * vectors, or by shared catalogue attributes for a product newer than the
   * model or without one. Reads nothing about the shopper: any consent level.
   */
  similarItems(productId: string, options?: SimilarItemsOptions): Promise<SimilarItemsList>;
  transparency(): Promise<TransparencyReport>;
  /**
   * Deletes the history, the shopper's vector, the privacy ledger, the
   * update log, the stored model and the stored catalogue from storage,
   * withdraws from rounds and sets consent to `off`
   * (not stored: the shopper is asked again). What the server already
   * aggregated cannot be taken back — it is in the shared model, with noise.
   * Every other tab sharing the store stops too, and nothing a tab decided
   * before it heard of the deletion is written afterwards.
   */
  forget(): Promise<void>;
  /**
   * Asks the server for its privacy notice now (revalidating the version
   * held); a new version fires `noticeChanged`, and `consentNeeded` when the
   * shopper's `contribute` was given under another. Show the notice before
   * asking for consent: `setConsent` records the version held as the one
   * consented under. Rejects with `NOTICE_UNAVAILABLE`.
   */
  refreshPrivacyNotice(): Promise<PrivacyNotice>;
  /** Loads the current model from the server now. */
  refreshModel(): Promise<SharedModel>;
  /**
   * Asks the server for its catalogue now, offering the version held
   * (If-None-Match: an unchanged one is not downloaded again), and stores a
   * new one where consent allows. Resolves to the catalogue in use, null
   * when the server has none; rejects with `CATALOGUE_UNAVAILABLE` when it
   * cannot be reached or sends an invalid one.
   */
  refreshCatalogue(): Promise<Catalogue | null>;
  /** Withdraws from rounds and closes the store. */
  close(): Promise<void>;
  on<K extends keyof ShopperClientEvents>(event: K, listener: (payload: ShopperClientEvents[K]) => void): ShopperClient;
  once<K extends keyof ShopperClientEvents>(event: K, listener: (payload: ShopperClientEvents[K]) => void): ShopperClient;
  off<K extends keyof ShopperClientEvents>(event: K, listener: (payload: ShopperClientEvents[K]) => void): ShopperClient;
}
