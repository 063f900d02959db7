// Public API of on-device training (`@fedrec/core/training`): named exports only.
// The one entry point that loads TensorFlow.js (with the backend selection and
// FedRec's kernels it needs); the server never imports it.
export { trainLocally, trainLocallySparse, fitUserVector } from './train-locally.js';
export type { LocalTrainingInput, LocalTrainingResult, SparseLocalTrainingResult, SparseDelta } from './train-locally.js';
export { DEFAULT_LOCAL_TRAINING, resolveLocalTrainingConfig } from './local-training-config.js';
export type { LocalTrainingConfig } from './local-training-config.js';
export { bprLoss } from './bpr-loss.js';
export type { BprBatch, BprParams } from './bpr-loss.js';
export { NegativeSampler } from './negative-sampler.js';
export { selectBackend, wasmCandidate, cpuCandidate, isBackendName, BACKEND_NAMES, BackendUnavailableError } from '../backend/select-backend.js';
export type { BackendName, BackendCandidate, BackendChoice } from '../backend/select-backend.js';
export { registerFedRecKernels } from '../backend/register-kernels.js';
