/** Hyper-parameters of one shopper's local training. */
export interface LocalTrainingConfig {
  /** SGD step for item embeddings and biases (per triplet: the loss is a sum). */
  readonly learningRate: number;
  /** SGD step for the shopper's own vector (on the batch-mean gradient). */
  readonly userLearningRate: number;
  /** L2 penalty λ on every parameter a triplet touches. */
  readonly l2: number;
  /** Epochs fitting the shopper's vector alone, shared parameters frozen. */
  readonly userEpochs: number;
  /** Epochs training the shopper's vector and the shared parameters together. */
  readonly epochs: number;
  /** Negatives sampled per positive per epoch. */
  readonly negativesPerPositive: number;
  /** Triplets per step. */
  readonly batchSize: number;
}

export const DEFAULT_LOCAL_TRAINING: LocalTrainingConfig = {
  learningRate: 0.05,
  userLearningRate: 0.5,
  l2: 1e-4,
  userEpochs: 3,
  epochs: 2,
  negativesPerPositive: 2,
  batchSize: 1024,
};

export function resolveLocalTrainingConfig(partial: Partial<LocalTrainingConfig> = {}): LocalTrainingConfig {
  const config = { ...DEFAULT_LOCAL_TRAINING, ...partial };
  const positive = ['learningRate', 'userLearningRate', 'batchSize', 'negativesPerPositive'] as const;
  for (const key of positive) {
    if (!Number.isFinite(config[key]) || config[key] <= 0) throw new RangeError(`expected ${key} > 0, got ${config[key]}`);
  }
  for (const key of ['l2', 'userEpochs', 'epochs'] as const) {
    if (!Number.isFinite(config[key]) || config[key] < 0) throw new RangeError(`expected ${key} >= 0, got ${config[key]}`);
  }
  for (const key of ['userEpochs', 'epochs', 'negativesPerPositive', 'batchSize'] as const) {
    if (!Number.isInteger(config[key])) throw new RangeError(`expected ${key} to be an integer, got ${config[key]}`);
  }
  return config;
}
