import { calibrateNoiseMultiplier, PrivacyLedger } from '@fedrec/core/privacy';
import type { AccountantName } from '@fedrec/core/privacy';
import type { EventWeights } from '@fedrec/core';
import { itemPopularity } from '../baselines/popularity-baseline.js';
import type { Population } from '../population/population.js';
import { releaseTrainingPopularity } from './training-popularity-release.js';

/** A run whose only privacy cost is one popularity release (the on-device recommender, private popularity). */
export interface PopularityReleaseConfig {
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

export interface RunPopularityRelease {
  /** The released counts as released (noise may make some negative), or the exact counts. */
  readonly counts: Float32Array;
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
 * The run's one popularity release: z calibrated to the whole budget (or
 * given), each shopper's k most recent training items counted with Gaussian
 * noise once (`releaseTrainingPopularity`), recorded in a fresh ledger. At
 * ε = ∞ (or z = 0) the counts are exact, every training positive counted as
 * the popularity baseline counts them, and nothing is recorded.
 */
export function runPopularityRelease(config: PopularityReleaseConfig): RunPopularityRelease {
  const { population, delta, maxItemsPerShopper, seed } = config;
  if (config.targetEpsilon !== undefined && config.noiseMultiplier !== undefined) throw new RangeError('give targetEpsilon or noiseMultiplier, not both');
  const accountant = config.accountant ?? 'rdp';
  const exact = config.targetEpsilon === Infinity || config.noiseMultiplier === 0;
  const z = exact ? 0 : (config.noiseMultiplier ?? calibrateNoiseMultiplier({ targetEpsilon: config.targetEpsilon ?? 1, delta, samplingRate: 1, steps: 1, accountant }).noiseMultiplier);
  const ledger = new PrivacyLedger({ accountant });
  if (exact) return { counts: itemPopularity(population, config.eventWeights), epsilon: Infinity, noiseMultiplier: 0, noiseStd: 0, ledger };
  const release = releaseTrainingPopularity(population, { maxItemsPerShopper, noiseMultiplier: z, seed, ...(config.eventWeights === undefined ? {} : { eventWeights: config.eventWeights }) });
  ledger.record(release.mechanism);
  return { counts: release.counts, epsilon: ledger.epsilon(delta).epsilon, noiseMultiplier: z, noiseStd: release.noiseStd, ledger };
}
