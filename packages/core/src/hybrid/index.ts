// Public API of the hybrid model (`@fedrec/core/hybrid`): items built from
// public catalogue features, trained with DP-FedAvg. Named exports only; no
// TensorFlow.js (plain loops over a few dozen rows per shopper).
export { buildFeatureMap } from './feature-map.js';
export type { FeatureMap, FeatureMapOptions } from './feature-map.js';
export { buildItemTable } from './item-table.js';
export type { ItemTable } from './item-table.js';
export { shopperSequence, contextWeights } from './shopper-context.js';
export type { ShopperSequence, ContextOptions } from './shopper-context.js';
export { pooledShopperVector, hybridScores } from './hybrid-scores.js';
export { trainHybridLocally, resolveHybridTrainingConfig, DEFAULT_HYBRID_TRAINING } from './train-hybrid-locally.js';
export type { HybridTrainingConfig, HybridTrainingInput, HybridDelta } from './train-hybrid-locally.js';
export { rowStepScales } from './row-step-scales.js';
export { combinedScores } from './combined-scores.js';
export type { CombinedScoring } from './combined-scores.js';
export { historyContextScore } from './history-context-score.js';
