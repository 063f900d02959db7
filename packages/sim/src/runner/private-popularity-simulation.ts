import { calibrateNoiseMultiplier, PrivacyLedger } from '@fedrec/core/privacy';
import type { AccountantName } from '@fedrec/core/privacy';
import type { EventWeights, LeaveOneOutReport } from '@fedrec/core';
import { evaluationSample } from '../baselines/evaluation-sample.js';
import { evaluateFixedScores, itemPopularity } from '../baselines/popularity-baseline.js';
import type { Population } from '../population/population.js';
import { releaseTrainingPopularity } from './training-popularity-release.js';

export interface PrivatePopularitySimulationConfig {
  readonly population: Population;
  /** Calibrate the release's z to this ε (all of the run's budget), or give `noiseMultiplier`. Infinity: exact counts, no privacy. */
  readonly targetEpsilon?: number;
  readonly noiseMultiplier?: number;
  readonly delta: number;
  /** Which accountant calibrates z and reports ε (default rdp). */
  readonly accountant?: AccountantName;
  /** k: each shopper counts at most this many distinct items, the most recent first. */
  readonly maxItemsPerShopper: number;
  readonly evalShoppers: number;
  readonly seed: string;
  readonly eventWeights?: EventWeights;
}

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
  const { population, delta, maxItemsPerShopper, seed } = config;
  if (config.targetEpsilon !== undefined && config.noiseMultiplier !== undefined) throw new RangeError('give targetEpsilon or noiseMultiplier, not both');
  const accountant = config.accountant ?? 'rdp';
  const exact = config.targetEpsilon === Infinity || config.noiseMultiplier === 0;
  const z = exact ? 0 : (config.noiseMultiplier ?? calibrateNoiseMultiplier({ targetEpsilon: config.targetEpsilon ?? 1, delta, samplingRate: 1, steps: 1, accountant }).noiseMultiplier);
  const ledger = new PrivacyLedger({ accountant });
  const eventWeights = config.eventWeights === undefined ? {} : { eventWeights: config.eventWeights };
  let counts: Float32Array;
  let noiseStd = 0;
  if (exact) {
    counts = itemPopularity(population, config.eventWeights);
  } else {
    const release = releaseTrainingPopularity(population, { maxItemsPerShopper, noiseMultiplier: z, seed, ...eventWeights });
    ledger.record(release.mechanism);
    counts = release.counts;
    noiseStd = release.noiseStd;
  }
  const evaluation = evaluateFixedScores(population, counts, { evalShoppers: evaluationSample(population.numShoppers, config.evalShoppers, seed), seed, ...eventWeights });
  return { evaluation, epsilon: exact ? Infinity : ledger.epsilon(delta).epsilon, noiseMultiplier: z, noiseStd, ledger };
}
