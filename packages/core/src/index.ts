/**
 * The model, training, update format, privacy and protocol shared by client, server and simulator.
 *
 * @module @fedrec/core
 */
// The convenience barrel of @fedrec/core: every public name, for the client
// and the simulator. It loads TensorFlow.js (through ./training); code that
// never trains (the server) imports the subpaths instead: @fedrec/core/model,
// /protocol, /format, /privacy, /random, /update, /metrics, /state. Secure
// aggregation is its own package, @fedrec/secagg (it depends on core, never
// the reverse).
// Named exports only, each from its subpath's entry; test support is not here.
export type { ParameterShape, SharedModel, ModelUpdate } from './model/index.js';
export { parameterCount, assertValidShape, sameShape, embeddingsView, biasesView } from './model/index.js';
export { createSharedModel } from './model/index.js';
export type { ModelInit } from './model/index.js';
export { scoreAllItems } from './model/index.js';
export { DenoisedModel, shrinkDisplacement } from './model/index.js';
export type { DenoisedModelState } from './model/index.js';
export { EventType, EVENT_TYPE_NAMES, DEFAULT_EVENT_WEIGHTS, assertValidEventWeights, positiveItems } from './model/index.js';
export type { EventTypeName, ShoppingEvent, EventWeights } from './model/index.js';
export type { RandomSource } from './random/index.js';
export { nextInt, shuffleInPlace } from './random/index.js';
export { createCryptoRandomSource } from './random/index.js';
export { createSeededRandomSource, deriveSeed } from './random/index.js';
export { addGaussianNoise, gaussianVector } from './random/index.js';
export { randomBytes, uniformBelow, uniformBelowNumber } from './random/index.js';
export { trainLocally, trainLocallySparse, fitUserVector } from './training/index.js';
export type { LocalTrainingInput, LocalTrainingResult, SparseLocalTrainingResult, SparseDelta } from './training/index.js';
export { DEFAULT_LOCAL_TRAINING, resolveLocalTrainingConfig } from './training/index.js';
export type { LocalTrainingConfig } from './training/index.js';
export { bprLoss } from './training/index.js';
export type { BprBatch, BprParams } from './training/index.js';
export { NegativeSampler } from './training/index.js';
export { l2Norm, clipToNorm, clipScale } from './update/index.js';
export { buildPrivateUpdate } from './update/index.js';
export type { UpdatePrivacy, BuiltUpdate } from './update/index.js';
export { selectBackend, wasmCandidate, cpuCandidate, isBackendName, BACKEND_NAMES, BackendUnavailableError } from './training/index.js';
export type { BackendName, BackendCandidate, BackendChoice } from './training/index.js';
export { registerFedRecKernels } from './training/index.js';
export { SavedStateError, parseSavedState, parseSavedJson } from './state/index.js';
export type { SavedStateErrorCode } from './state/index.js';
export { FormatError, FORMAT_VERSION, HEADER_BYTES, peekHeader, encodeModel, decodeModel, encodeUpdate, decodeUpdate } from './format/index.js';
export type { FormatErrorCode, TensorDtype, TensorHeader, TensorKind, DecodeOptions } from './format/index.js';
export { hitRate, ndcg, rankOfScore, rankAmongCandidates, rankInCatalogue, sampleNegatives, topK, outranks, itemMask, catalogueCoverage, intraListDiversity, evaluateLeaveOneOut } from './metrics/index.js';
export type { ItemMask, ItemFeatures, SampleNegativesOptions, LeaveOneOutUser, LeaveOneOutOptions, LeaveOneOutReport } from './metrics/index.js';
export { PrivacyLedger, calibrateNoiseMultiplier, calibrateNoiseMultiplierAfter, maxSteps, epsilonForMechanisms, rdpToEpsilon, subsampledGaussianRdp, subsampledGaussianRdpVector, composeRdp } from './privacy/index.js';
export type { SubsampledGaussianMechanism, DpConversion, EpsilonResult, PrivacyLedgerJson, RecordedMechanism } from './privacy/index.js';
export { RDP_ORDER_PRESETS, DEFAULT_RDP_ORDER_PRESET, isRdpOrderPresetName, resolveRdpOrders, validateRdpOrders, DP_CONVERSIONS, isDpConversion, rdpToDelta, PRIVACY_LEDGER_FORMAT, PRIVACY_LEDGER_VERSION } from './privacy/index.js';
export type { RdpOrderPresetName, RdpOrdersInput, DeltaResult, MechanismsEpsilonOptions, CalibrateNoiseOptions, CalibratedNoise, MaxStepsOptions, PrivacyLedgerOptions } from './privacy/index.js';
export { PROTOCOL_VERSION, MessageKind, ProtocolEvent, RoundOutcome, RejectReason, REJECT_REASON_NAMES, rejectReasonName, isRejectReasonCode, rejectReasonForFormatError, CLIENT_ID_PATTERN, MAX_EXAMPLE_COUNT, MESSAGE_SCHEMAS, clientIdSchema, parameterShapeSchema, readyMessageSchema, welcomeMessageSchema, roundStartMessageSchema, roundPrivacySchema, updateMessageSchema, updateAcceptedMessageSchema, rejectedMessageSchema, roundClosedMessageSchema, handshakeAuthSchema, enrolResponseSchema, parseMessage, parseHandshakeAuth, toBytes } from './protocol/index.js';
export type { MessageKindCode, MessageKindName, ProtocolEventName, RoundOutcomeCode, RoundOutcomeName, RejectReasonCode, RejectReasonName, ReadyMessage, WelcomeMessage, RoundStartMessage, RoundPrivacy, UpdateMessage, UpdateAcceptedMessage, RejectedMessage, RoundClosedMessage, HandshakeAuth, EnrolResponse, ProtocolMessages, ParseResult, ParseFailureReason } from './protocol/index.js';
export { AdaptiveClipping, updateNoiseMultiplier, DEFAULT_ADAPTIVE_CLIPPING } from './privacy/index.js';
export { ACCOUNTANT_NAMES, DEFAULT_ACCOUNTANT, isAccountantName, createAccountant, pldEpsilon, pldDelta } from './privacy/index.js';
export type { AccountantName, PrivacyAccountant, AccountantOptions, PldAccountingOptions } from './privacy/index.js';
export type { AdaptiveClippingConfig } from './privacy/index.js';
export { DpFedAvgRoundPolicy, securelyAccountedNoiseMultiplier } from './privacy/index.js';
export type { RoundPrivacyConfig, RoundPrivacyOptions, RoundNoisePlacement, PlannedRoundPrivacy, SecureRoundNoise } from './privacy/index.js';
export { releasePrivatePopularity } from './privacy/index.js';
export type { PrivatePopularity, PrivatePopularityOptions } from './privacy/index.js';
export { privacySpendSchema } from './protocol/index.js';
export type { PrivacySpend } from './protocol/index.js';
export { roundSecureAggregationSchema, secAggServerMessageSchema, secAggClientMessageSchema } from './protocol/index.js';
export type { RoundSecureAggregation, SecAggServerEnvelope, SecAggClientEnvelope } from './protocol/index.js';
export { withUint8Arrays } from './protocol/index.js';
export { DECLINE_REASONS, isDeclineReason, declineMessageSchema } from './protocol/index.js';
export type { DeclineReasonName, DeclineMessage } from './protocol/index.js';
export { packBinaryFields, unpackBinaryFields } from './protocol/index.js';
export type { PackedBinary } from './protocol/index.js';
export { buildCatalogue, itemAttributes, alignCatalogue, catalogueToJson, parseCatalogueJson, attributeIdf, historyScores } from './catalogue/index.js';
export type { Catalogue, CatalogueEntry, AlignedCatalogue, CatalogueJson, HistoryScoringOptions } from './catalogue/index.js';
export { rational, rationalFromNumber, rationalToNumber, createDiscreteGaussianSampler, sampleDiscreteGaussian, discreteGaussianVector, sampleDiscreteLaplace } from './privacy/index.js';
export type { Rational, DiscreteGaussianSampler, VarianceInput } from './privacy/index.js';
export { perClientSigma, perClientVariance, roundedL2Sensitivity, sumOfDiscreteGaussiansTau, distributedDiscreteGaussianRdp, subsampledDistributedDiscreteGaussianRdp, distributedDiscreteGaussianRdpVector, effectiveNoiseMultiplier } from './privacy/index.js';
export type { DistributedDiscreteGaussianParams, EffectiveNoiseMultiplierOptions } from './privacy/index.js';
export { GRAPH_SEED_BYTES, SECAGG_MAX_CLIENTS, SECAGG_MAX_VECTOR_LENGTH } from './protocol/index.js';
export { HOST_IS_LITTLE_ENDIAN } from './format/index.js';
