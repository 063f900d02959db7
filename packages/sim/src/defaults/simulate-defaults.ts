/**
 * What `planSimulation` runs: DP-FedAvg on matrix factorisation (`federated`) or on the hybrid model
 * (`hybrid`: items from catalogue features, see `runHybridSimulation`), one of the two baselines through
 * the same harness, or the on-device recommender (the shopper's history against the public catalogue,
 * with a private popularity prior).
 */
export const ALGORITHMS = ['federated', 'hybrid', 'central', 'popularity', 'on-device'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** fast: in process, worker threads, no sockets; e2e: a real server and one socket.io client per shopper. */
export const SIMULATION_MODES = ['fast', 'e2e'] as const;
export type SimulationMode = (typeof SIMULATION_MODES)[number];

/**
 * Defaults of the built-in job: synthetic shoppers, DP-FedAvg, ε ≈ 3 at
 * δ = 1e-5. `planSimulation` applies them; `fedrec simulate` shows them in
 * its help.
 */
export const SIMULATE_DEFAULTS = {
  population: 'synthetic:10000',
  items: 500,
  algorithm: 'federated',
  mode: 'fast',
  /** z given only a schedule flag; with no privacy or schedule choice, the run spends the ε this z spends on the noise-free schedule. */
  noise: 1.0,
  delta: 1e-5,
  clip: 0.5,
  dim: 32,
  placement: 'distributed',
  /** Rényi DP: the published figures' accountant; `pld` is tighter (never above it). */
  accountant: 'rdp',
  /** `defaultServerLearningRate` of the catalogue and schedule, capped by `maxModelNoiseStd` under noise. */
  serverLr: 'auto',
  /** With an automatic server learning rate and noise: the noise a run may add to each parameter before denoising (std). */
  maxModelNoiseStd: 1,
  /** Soft-threshold of the released model, in multiples of its accumulated noise (0: off). */
  denoise: 1,
  evalShoppers: 500,
  evalEvery: 10,
  centralEpochs: 5,
  /**
   * --algorithm on-device: the ε of its one release (private popularity), and k, the items each shopper
   * counts in it. On Amazon Beauty (3,000 shoppers) HR@10 is 0.441 at ε = 0.5, 0.466 at ε = 1, 0.474 with
   * exact counts; k = 5 beat 10 and 20 at every ε tried (0.1–1): less noise outweighs the cut lists.
   */
  onDeviceEpsilon: 1,
  popularityItemsPerShopper: 5,
  seed: '1',
} as const;

/**
 * --algorithm hybrid. Chosen on Amazon Beauty (22,363 shoppers, seed 3; issue 15's closing note has
 * the runs): a larger cohort in fewer rounds beats many small rounds under noise (as for MF);
 * identity rows for the 300 most popular items beat none and 1,000 (further down their noise
 * outweighs their signal); scaling each row's step by its touch rate (floor 0.01) is what lets item
 * rows learn at all; the prior log(1 + count) and the history scorer in the logits let the rounds
 * learn what those do not already say. At ε = 1 (3,000 evaluation shoppers), HR@10 / full-catalogue
 * HR@10 by the popularity release's share of ε and the shrinkage of its counts: 0.25, 2σ: 0.460 /
 * 0.034; 0.5, 2σ: 0.481 / 0.035; 0.5, 0: 0.447 / 0.042; 0.75, 1σ: 0.474 / 0.039; 0.75, 2σ: 0.487 /
 * 0.037 (the on-device recommender, all of ε on its prior: 0.468 / 0.044).
 */
export const HYBRID_DEFAULTS = {
  epsilon: 1,
  rounds: 20,
  samplingRate: 0.2,
  clip: 1,
  serverLearningRate: 1,
  model: {
    popularityShare: 0.75,
    popularityItemsPerShopper: 5,
    countShrinkStd: 2,
    identityItems: 300,
    rowRateFloor: 0.01,
    priorWeight: 0.5,
    historyWeight: 1,
    boostHistory: true,
    initScale: 0.1,
  },
} as const;

/** e2e mode: at most this many shoppers get a socket.io client of their own (`--clients` changes it). */
export const DEFAULT_E2E_CLIENTS = 1_000;
