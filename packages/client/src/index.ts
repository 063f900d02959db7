/**
 * The shopper's on-device client: `createClient()` returns a `ShopperClient` (consent, history, recommendations, training rounds within a personal ε budget).
 *
 * @module @fedrec/client
 */
// Public API of @fedrec/client: named exports only.
export { createRoundParticipant, createLocalTrainer, enrol, RoundParticipantError, Backoff, privatiseUpdate, secureInput, SecureRoundParticipant } from './rounds/index.js';
export type {
  RoundParticipant,
  RoundParticipantOptions,
  RoundParticipantEvents,
  LocalTrainerOptions,
  TrainingCallback,
  TrainingRound,
  TrainingResult,
  EnrolOptions,
  RoundParticipantErrorCode,
  RoundRejection,
  BackoffOptions,
  RoundInvitation,
  BeforeRoundHook,
  UpdatePrivacyInfo,
  PrivatisedUpdate,
  PrivatiseOptions,
  SecureInput,
  SecureInputOptions,
} from './rounds/index.js';
export { createClient } from './shopper/create-client.js';
export type { ShopperClient } from './shopper/shopper-client.js';
export type { ShopperClientOptions } from './shopper/shopper-client-options.js';
export type { ShopperClientEvents } from './shopper/shopper-client-events.js';
export type { TrackedEvent } from './shopper/tracked-event.js';
export type { RecommendOptions, Recommendation, RecommendationList, RecommendationSource } from './shopper/recommend-for-shopper.js';
export type { ProductFilters } from './shopper/recommend-filters.js';
export type { SimilarItem, SimilarItemsList, SimilarItemsOptions } from './shopper/similar-items.js';
export { BIAS_PRIOR_WEIGHT } from './shopper/recommend-for-shopper.js';
export type { DeclineReason } from './shopper/decline-reason.js';
export type { TransparencyReport } from './shopper/transparency-report.js';
export { ShopperClientError } from './shopper/shopper-client-error.js';
export type { ShopperClientErrorCode } from './shopper/shopper-client-error.js';
export { CONSENT_LEVELS, isConsentLevel } from './consent/consent-level.js';
export type { ConsentLevel } from './consent/consent-level.js';
export { createMemoryStore } from './storage/memory-store.js';
export type { ShopperStore, ShopperStoreOptions, ShopperRecords, ShopperRecordKey, StoredCatalogue, StoredConsent, StoredModel, StoredPrivacy, StoredUserVector } from './storage/shopper-store.js';
export type { PrivacyNotice } from '@fedrec/core/protocol';
export { guardRefusal } from './storage/write-guard.js';
export type { WriteGuard, WritePurpose, GuardedState } from './storage/write-guard.js';
export type { ParticipantLock } from './coordination/participant-lock.js';
export { parseStoreChange } from './coordination/store-change.js';
export type { StoreChange, ChangeChannel, ChangeEndpoint } from './coordination/store-change.js';
export { chargeStoredLedger, markUpdateSent } from './privacy/stored-ledger.js';
export type { ChargeRequest } from './privacy/stored-ledger.js';
export { DEFAULT_RETENTION, resolveRetention, applyRetention } from './storage/retention-policy.js';
export type { RetentionPolicy } from './storage/retention-policy.js';
export { PersonalBudget } from './privacy/personal-budget.js';
export type { Charge } from './privacy/personal-budget.js';
export type { UpdateLogEntry } from './privacy/update-log-entry.js';
export { rankRecommendations } from './recommend/rank-recommendations.js';
export type { RankInput } from './recommend/rank-recommendations.js';
export { rerankByMmr } from './recommend/maximal-marginal-relevance.js';
export { itemSimilarity } from './recommend/item-similarity.js';
export type { ItemSimilarity } from './recommend/item-similarity.js';
