import { calibrateNoiseMultiplier } from '@fedrec/core/privacy';
import type { AccountantName } from '@fedrec/core/privacy';
import type { Catalogue } from '@fedrec/core/catalogue';
import type { FeatureMap, HybridTrainingConfig } from '@fedrec/core/hybrid';
import { itemPopularity } from '../baselines/popularity-baseline.js';
import { runFederatedSimulation } from './federated-simulation.js';
import type { FederatedSimulationConfig, SimulationResult } from './federated-simulation.js';
import { releaseTrainingPopularity } from './training-popularity-release.js';
import { hybridModelSetup } from './hybrid-model-setup.js';

/** The hybrid model's own choices; `HYBRID_DEFAULTS` says what each is by default and why. */
export interface HybridModelSettings {
  /** Share of a finite `targetEpsilon` spent on the popularity release (the rounds get the rest, composed in one ledger). */
  readonly popularityShare: number;
  /** k of the popularity release. */
  readonly popularityItemsPerShopper: number;
  /** Items given an identity row: the most popular by the released counts. */
  readonly identityItems: number;
  /** Smallest touch rate a row's server step is scaled for (`rowStepScales`). */
  readonly rowRateFloor: number;
  /**
   * Released counts are shrunk by this many noise standard deviations
   * (max(0, c − k·σ)) before anything uses them: with clamping alone, every
   * tail item whose noise came out positive would look popular.
   */
  readonly countShrinkStd: number;
  /** Weight of log(1 + released count) in the fixed prior. */
  readonly priorWeight: number;
  /** Weight of the zero-ε history scorer in the final score. */
  readonly historyWeight: number;
  /** Train on top of the history scorer (its scores in the training logits), so the rounds learn what it gets wrong. */
  readonly boostHistory: boolean;
  /** Standard deviation of the starting feature embeddings. */
  readonly initScale: number;
  readonly training?: Partial<HybridTrainingConfig>;
}

export interface HybridSimulationConfig extends Omit<FederatedSimulationConfig, 'hybrid' | 'releases' | 'denoising' | 'maxModelNoiseStd'> {
  /** Aligned to the population's items. */
  readonly catalogue: Catalogue;
  readonly model: HybridModelSettings;
}

export interface HybridSimulationResult extends SimulationResult {
  readonly features: FeatureMap;
  /** z and per-count noise std of the popularity release (0 without noise: exact counts). */
  readonly popularityNoiseMultiplier: number;
  readonly popularityNoiseStd: number;
}

/**
 * DP-FedAvg on the hybrid model, as a deployment would run it:
 *
 * 1. one private popularity release (a share of the budget), recorded in the
 *    run's ledger; from it (post-processing, no further cost) the identity
 *    rows (the most popular items), the fixed prior log(1 + count), and each
 *    row's server step;
 * 2. the rounds, calibrated so that release and rounds together meet the
 *    target, each shopper training the feature rows on their own history;
 * 3. every evaluation as a device scores: model + prior + history scorer.
 *
 * Without noise (`targetEpsilon` ∞ or z = 0) the counts are exact and ε is ∞.
 */
export async function runHybridSimulation(config: HybridSimulationConfig): Promise<HybridSimulationResult> {
  const { population, catalogue, model: settings, privacy, seed } = config;
  if (catalogue.itemIds.length !== population.numItems) {
    throw new RangeError(`expected a catalogue aligned to the population's ${population.numItems} items, got ${catalogue.itemIds.length}`);
  }
  const noisy = privacy.targetEpsilon === undefined ? privacy.noiseMultiplier > 0 : Number.isFinite(privacy.targetEpsilon);
  const accountant: AccountantName = privacy.accountant ?? 'rdp';
  let counts: Float32Array;
  let popularityNoiseMultiplier = 0;
  let popularityNoiseStd = 0;
  const releases = [];
  if (noisy) {
    // With a target, the release gets its share of it; with a fixed z, the release uses that z too.
    popularityNoiseMultiplier =
      privacy.targetEpsilon === undefined
        ? privacy.noiseMultiplier
        : calibrateNoiseMultiplier({ targetEpsilon: settings.popularityShare * privacy.targetEpsilon, delta: privacy.delta, samplingRate: 1, steps: 1, accountant }).noiseMultiplier;
    const release = releaseTrainingPopularity(population, {
      maxItemsPerShopper: settings.popularityItemsPerShopper,
      noiseMultiplier: popularityNoiseMultiplier,
      seed,
      ...(config.eventWeights === undefined ? {} : { eventWeights: config.eventWeights }),
    });
    releases.push(release.mechanism);
    popularityNoiseStd = release.noiseStd;
    const shrink = settings.countShrinkStd * popularityNoiseStd;
    counts = release.counts.map((c) => Math.max(0, c - shrink));
  } else {
    counts = itemPopularity(population, config.eventWeights);
  }

  const setup = hybridModelSetup(population, catalogue, counts, settings, config.dim, seed);
  const result = await runFederatedSimulation({
    ...config,
    releases,
    hybrid: setup,
  });
  return { ...result, features: setup.features, popularityNoiseMultiplier, popularityNoiseStd };
}
