import type { PrivacyLedger } from '@fedrec/core/privacy';
import type { LeaveOneOutReport } from '@fedrec/core';
import type { Catalogue, HistoryScoringOptions } from '@fedrec/core/catalogue';
import { onDeviceBaseline } from '../baselines/on-device-baseline.js';
import { evaluationSample } from '../baselines/evaluation-sample.js';
import { runPopularityRelease, type PopularityReleaseConfig } from './run-popularity-release.js';

export interface OnDeviceSimulationConfig extends PopularityReleaseConfig {
  /** Aligned to the population's items. */
  readonly catalogue: Catalogue;
  readonly scoring?: Omit<HistoryScoringOptions, 'popularity' | 'eventWeights'>;
}

export interface OnDeviceSimulationResult {
  readonly evaluation: LeaveOneOutReport;
  /** The run's ε at `delta`: the popularity release's, the only thing a device shares (Infinity with exact counts). */
  readonly epsilon: number;
  /** z of the release (0 with exact counts). */
  readonly noiseMultiplier: number;
  /** Std of the noise on each count. */
  readonly noiseStd: number;
  /** The ledger the release was recorded in, as the server's would hold it. */
  readonly ledger: PrivacyLedger;
}

/**
 * The on-device recommender as a deployment would run it: every shopper
 * contributes once to a private popularity release (their k most recent
 * training items; held-out items never count), the release is recorded in a
 * privacy ledger, and each shopper's device then ranks with its own history,
 * the public catalogue and the released counts. No model, no rounds: the
 * run's ε is the release's.
 */
export function runOnDeviceSimulation(config: OnDeviceSimulationConfig): OnDeviceSimulationResult {
  const { population } = config;
  const { counts, epsilon, noiseMultiplier, noiseStd, ledger } = runPopularityRelease(config);
  const evaluation = onDeviceBaseline(population, {
    evalShoppers: evaluationSample(population.numShoppers, config.evalShoppers, config.seed),
    seed: config.seed,
    catalogue: config.catalogue,
    // A device's prior: below zero a count says nothing more than zero does.
    popularity: counts.map((c) => Math.max(0, c)),
    ...(config.eventWeights === undefined ? {} : { eventWeights: config.eventWeights }),
    ...(config.scoring === undefined ? {} : { scoring: config.scoring }),
  });
  return { evaluation, epsilon, noiseMultiplier, noiseStd, ledger };
}
