import { calibrateNoiseMultiplier } from '@fedrec/core/privacy';
import type { AccountantName } from '@fedrec/core/privacy';
import type { Catalogue } from '@fedrec/core/catalogue';
import type { FeatureMap } from '@fedrec/core/hybrid';
import { itemPopularity } from '../baselines/popularity-baseline.js';
import { runFederatedSimulation } from './federated-simulation.js';
import type { FederatedSimulationConfig, SimulationResult } from './federated-simulation.js';
import { releaseTrainingPopularity } from './training-popularity-release.js';
import { hybridModelSetup } from './hybrid-model-setup.js';
import type { HybridModelSettings } from './hybrid-model-settings.js';

export type { HybridModelSettings };

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
