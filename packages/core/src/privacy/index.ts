// Public API of the privacy accountants (RDP and PLD): named exports only.
export { logAdd, logSub, logSumExp, logAbsBinomial, binomialSign, erfc, logErfc } from './log-math.js';
export type { SubsampledGaussianMechanism } from './privacy-params.js';
export {
  RDP_ORDER_PRESETS,
  DEFAULT_RDP_ORDER_PRESET,
  isRdpOrderPresetName,
  validateRdpOrders,
  resolveRdpOrders,
} from './rdp-orders.js';
export type { RdpOrderPresetName, RdpOrdersInput } from './rdp-orders.js';
export { subsampledGaussianRdp, subsampledGaussianRdpVector, composeRdp } from './rdp-subsampled-gaussian.js';
export { DP_CONVERSIONS, isDpConversion, rdpToEpsilon, rdpToDelta } from './rdp-to-dp.js';
export type { DpConversion, EpsilonResult, DeltaResult } from './rdp-to-dp.js';
export { ACCOUNTANT_NAMES, DEFAULT_ACCOUNTANT, isAccountantName, createAccountant } from './privacy-accountant.js';
export type { AccountantName, PrivacyAccountant, AccountantOptions } from './privacy-accountant.js';
export { pldEpsilon, pldDelta, composedPld, DEFAULT_PLD_INTERVAL, DEFAULT_PLD_TAIL_MASS } from './pld-accountant.js';
export type { PldAccountingOptions } from './pld-accountant.js';
export { subsampledGaussianPld } from './pld-subsampled-gaussian.js';
export type { PldDirection, PldDiscretisation } from './pld-subsampled-gaussian.js';
export { composePld, selfComposePld, truncateTails, pldDeltaForEpsilon, pldEpsilonForDelta, identityPld } from './privacy-loss-distribution.js';
export type { DiscretePld } from './privacy-loss-distribution.js';
export { epsilonForMechanisms } from './mechanisms-epsilon.js';
export type { MechanismsEpsilonOptions } from './mechanisms-epsilon.js';
export { calibrateNoiseMultiplier, calibrateNoiseMultiplierAfter, maxSteps } from './calibrate.js';
export type { CalibrateNoiseOptions, CalibratedNoise, MaxStepsOptions } from './calibrate.js';
export { PrivacyLedger, PRIVACY_LEDGER_FORMAT, PRIVACY_LEDGER_VERSION } from './privacy-ledger.js';
export type { PrivacyLedgerJson, PrivacyLedgerOptions, RecordedMechanism } from './privacy-ledger.js';
export { AdaptiveClipping, updateNoiseMultiplier, DEFAULT_ADAPTIVE_CLIPPING } from './adaptive-clipping.js';
export type { AdaptiveClippingConfig } from './adaptive-clipping.js';
export { DpFedAvgRoundPolicy, securelyAccountedNoiseMultiplier } from './dp-fedavg-round-policy.js';
export type { RoundPrivacyConfig, RoundPrivacyOptions, RoundNoisePlacement, PlannedRoundPrivacy, SecureRoundNoise } from './dp-fedavg-round-policy.js';
export { releasePrivatePopularity } from './private-popularity.js';
export type { PrivatePopularity, PrivatePopularityOptions } from './private-popularity.js';
export { rational, rationalFromNumber, rationalToNumber } from './rational.js';
export type { Rational } from './rational.js';
export { createDiscreteGaussianSampler, sampleDiscreteGaussian, discreteGaussianVector } from './discrete-gaussian.js';
export type { DiscreteGaussianSampler, VarianceInput } from './discrete-gaussian.js';
export { sampleDiscreteLaplace } from './discrete-laplace.js';
export {
  perClientSigma,
  perClientVariance,
  roundedL2Sensitivity,
  sumOfDiscreteGaussiansTau,
  distributedDiscreteGaussianRdp,
  subsampledDistributedDiscreteGaussianRdp,
  distributedDiscreteGaussianRdpVector,
  effectiveNoiseMultiplier,
} from './distributed-dgauss.js';
export type { DistributedDiscreteGaussianParams, EffectiveNoiseMultiplierOptions } from './distributed-dgauss.js';
