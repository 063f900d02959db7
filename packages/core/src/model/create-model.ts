import type { ParameterShape, SharedModel } from './shared-parameters.js';
import { assertValidShape, parameterCount, embeddingsView } from './shared-parameters.js';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { addGaussianNoise } from '../random/gaussian.js';

export interface ModelInit {
  /** Seed of the initial embeddings: every party that knows it builds the same version-0 model. */
  readonly seed: string | number;
  /** Standard deviation of the initial embeddings. */
  readonly initStd?: number;
}

/** A version-0 shared model: small random embeddings, zero biases. */
export function createSharedModel(shape: ParameterShape, init: ModelInit): SharedModel {
  assertValidShape(shape);
  const initStd = init.initStd ?? 0.1;
  const values = new Float32Array(parameterCount(shape));
  addGaussianNoise(embeddingsView(shape, values), initStd, createSeededRandomSource(`model-init/${init.seed}`));
  return { shape, version: 0, values };
}
