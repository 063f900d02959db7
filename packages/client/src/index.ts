// Public API of @fedrec/client: named exports only.
export { createFedRecClient, createLocalTrainer, enrol, FedRecClientError, Backoff } from './transport/index.js';
export type {
  FedRecClient,
  FedRecClientOptions,
  FedRecClientEvents,
  LocalTrainerOptions,
  TrainingCallback,
  TrainingRound,
  TrainingResult,
  EnrolOptions,
  FedRecClientErrorCode,
  FedRecRejection,
  BackoffOptions,
} from './transport/index.js';
