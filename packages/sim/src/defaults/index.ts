// `@fedrec/sim/defaults`: the simulation defaults and the policy that applies them, without
// loading TensorFlow.js or the runners (the CLI registers `fedrec simulate` from these alone).
export { planSimulation } from './plan-simulation.js';
export type { SimulationChoices, SimulationPlan, PlannedValue, PlannedField, PlannedSource } from './plan-simulation.js';
export { SIMULATE_DEFAULTS, HYBRID_DEFAULTS, ALGORITHMS, SIMULATION_MODES, DEFAULT_E2E_CLIENTS } from './simulate-defaults.js';
export type { Algorithm, SimulationMode } from './simulate-defaults.js';
export { SimulationChoiceError } from './simulation-choice-error.js';
export { defaultAlgorithm } from './default-algorithm.js';
