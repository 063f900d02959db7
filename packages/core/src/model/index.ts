// Public API of the shared model's layout and helpers (`@fedrec/core/model`): named exports only.
// No TensorFlow.js here: the server builds, scores and stores models with plain Float32Arrays.
export type { ParameterShape, SharedModel, ModelUpdate } from './shared-parameters.js';
export { parameterCount, assertValidShape, sameShape, embeddingsView, biasesView } from './shared-parameters.js';
export { createSharedModel } from './create-model.js';
export type { ModelInit } from './create-model.js';
export { scoreAllItems } from './score.js';
export { DenoisedModel, shrinkDisplacement } from './denoised-release.js';
export type { DenoisedModelState } from './denoised-release.js';
export { EventType, EVENT_TYPE_NAMES, DEFAULT_EVENT_WEIGHTS, assertValidEventWeights, positiveItems } from './shopping-event.js';
export type { EventTypeName, ShoppingEvent, EventWeights } from './shopping-event.js';
