// Public API of @fedrec/sim: named exports only.
export type { Population, Shopper } from './population/population.js';
export { SyntheticPopulation } from './population/synthetic-population.js';
export type { SyntheticPopulationConfig } from './population/synthetic-population.js';
export { leaveOneOut } from './population/leave-one-out.js';
export type { LeaveOneOutSplit } from './population/leave-one-out.js';
export { poissonCohort } from './runner/poisson-cohort.js';
export { evaluateModel } from './runner/evaluate-model.js';
export type { EvaluationOptions } from './runner/evaluate-model.js';
export { runFederatedSimulation } from './runner/federated-simulation.js';
export type { FederatedSimulationConfig, SimulationResult, RoundReport, PrivacySettings, NoisePlacement } from './runner/federated-simulation.js';
