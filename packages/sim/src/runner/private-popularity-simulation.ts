import type { PrivacyLedger } from '@fedrec/core/privacy';
import type { LeaveOneOutReport } from '@fedrec/core';
import { evaluationSample } from '../baselines/evaluation-sample.js';
import { evaluateFixedScores } from '../baselines/popularity-baseline.js';
import { runPopularityRelease, type PopularityReleaseConfig } from './run-popularity-release.js';

export type PrivatePopularitySimulationConfig = PopularityReleaseConfig;

export interface PrivatePopularitySimulationResult {
  readonly evaluation: LeaveOneOutReport;
  /** The run's ε at `delta`: the release's (Infinity with exact counts). */
  readonly epsilon: number;
  /** z of the release (0 with exact counts). */
  readonly noiseMultiplier: number;
  /** Std of the noise on each count. */
  readonly noiseStd: number;
  /** The ledger the release was recorded in, as the server's would hold it. */
  readonly ledger: PrivacyLedger;
}

/**
 * Private popularity: every shopper is ranked by the privately released
 * counts alone, the one release the on-device recommender and the hybrid
 * build on (`releaseTrainingPopularity`: each shopper's k most recent
 * training items, Gaussian noise once), here spending the whole budget. The
 * private counterpart of the popularity baseline, and what the other two
 * must beat to have used the shopper's own history or the rounds at all.
 * The noisy counts rank as released (no clamping: that would tie every
 * item whose noise came out below zero). With ε = ∞ the counts are exact
 * (`itemPopularity`) and the run is the popularity baseline.
 *
 * @example
 * const run = runPrivatePopularitySimulation({ population, targetEpsilon: 1, delta: 1e-5, maxItemsPerShopper: 5, evalShoppers: 500, seed: '1' });
 * run.epsilon; // ≤ 1, the release's
 */
export function runPrivatePopularitySimulation(config: PrivatePopularitySimulationConfig): PrivatePopularitySimulationResult {
  const { population, seed } = config;
  const { counts, epsilon, noiseMultiplier, noiseStd, ledger } = runPopularityRelease(config);
  const eventWeights = config.eventWeights === undefined ? {} : { eventWeights: config.eventWeights };
  const evaluation = evaluateFixedScores(population, counts, { evalShoppers: evaluationSample(population.numShoppers, config.evalShoppers, seed), seed, ...eventWeights });
  return { evaluation, epsilon, noiseMultiplier, noiseStd, ledger };
}
