// Public API of @fedrec/server: named exports only.
export { createServer } from './create-server.js';
export type { FedRecServer, FedRecServerOptions, ServerAddress } from './create-server.js';
export { installShutdownHandlers } from './shutdown.js';
export type { ShutdownOptions } from './shutdown.js';
export { serverConfigSchema, parseServerConfig, resolveServerConfig } from './config/server-config.js';
export { DEFAULT_PRIVACY, DEFAULT_PRIVATE_SAMPLING, withDefaultPrivacy } from './config/default-privacy.js';
export type {
  ServerConfig,
  ResolvedServerConfig,
  OptimiserConfig,
  RoundsConfig,
  SamplingConfig,
  PrivacyConfig,
  AdaptiveClippingSettings,
  SecureAggregationConfig,
  ClusterConfig,
  ConfigParseResult,
} from './config/server-config.js';
export type { CoordinatorRoundCost } from './cluster/coordinator-round-cost.js';
// The cluster's partial-sum wire format, for tools that measure or inspect a coordinator's combining (benchmarks/cluster-server.ts).
export { encodePartialSum, decodePartialSum, PartialSumError } from './cluster/partial-sum.js';
export type { PartialSum } from './cluster/partial-sum.js';
export { ServerPrivacy, SERVER_PRIVACY_FORMAT, SERVER_PRIVACY_VERSION } from './privacy/server-privacy.js';
export type { PrivacyStatus, ServerPrivacyOptions, ServerPrivacyState, PlannedRoundPrivacy, RoundPrivacyPolicy, SecureRoundNoise } from './privacy/server-privacy.js';
export { privacyNoticeFor } from './privacy/privacy-notice.js';
export { ServerError } from './server-error.js';
export type { ServerErrorCode, ConfigIssue } from './server-error.js';
export type { FedRecServerEvents, RoundOpenedEvent, RejectionEvent } from './server-events.js';
export type { ServerStatus } from './status/server-status.js';
export type { PrivacyLedgerHook } from './privacy-ledger-hook.js';
export type { AppliedRound, RoundClosedInfo, CloseCause, SecureAggregationInfo } from './rounds/round-coordinator.js';
export { planSecureRound } from './rounds/secure-round-plan.js';
export type { SecureRoundPlan, SecureRoundPlanInput } from './rounds/secure-round-plan.js';
export { issueToken, verifyToken, randomClientId } from './auth/token.js';
export type { IssuedToken, IssueTokenOptions, TokenVerification, TokenFailure } from './auth/token.js';
export { MODEL_VERSION_HEADER } from './http/http-routes.js';
export { UpdateAccumulator } from './rounds/update-accumulator.js';
export { sampleCohort } from './rounds/cohort-sampler.js';
export { checkUpdateBytes, decodeClientUpdate, updateByteLength } from './rounds/decode-client-update.js';
export { createOptimiser } from './optimisers/create-optimiser.js';
export { FedAvg } from './optimisers/fed-avg.js';
export { FedAvgM } from './optimisers/fed-avg-m.js';
export { FedAdam } from './optimisers/fed-adam.js';
export type { ServerOptimiser, OptimiserState, OptimiserKind } from './optimisers/server-optimiser.js';
export { CheckpointStore, checkpointFileName } from './checkpoint/checkpoint-store.js';
export type { LoadedCheckpoint } from './checkpoint/checkpoint-store.js';
export { encodeCheckpoint, decodeCheckpoint } from './checkpoint/checkpoint-file.js';
export type { CheckpointData } from './checkpoint/checkpoint-file.js';
