import { calibrateNoiseMultiplier, PrivacyLedger } from '@fedrec/core/privacy';
import type { EventWeights, LeaveOneOutReport } from '@fedrec/core';
import type { Catalogue, HistoryScoringOptions } from '@fedrec/core/catalogue';
import type { AccountantName } from '@fedrec/core/privacy';
import { onDeviceBaseline } from '../baselines/on-device-baseline.js';
import { evaluationSample } from '../baselines/evaluation-sample.js';
import { itemPopularity } from '../baselines/popularity-baseline.js';
import { releaseTrainingPopularity } from './training-popularity-release.js';
import type { Population } from '../population/population.js';

export interface OnDeviceSimulationConfig {
  readonly population: Population;
  /** Aligned to the population's items. */
  readonly catalogue: Catalogue;
  /** The private popularity prior: calibrate its z to this ε (all of the run's budget), or give `noiseMultiplier`. Infinity: exact counts, no privacy. */
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
  const { population, delta, maxItemsPerShopper } = config;
  if (config.targetEpsilon !== undefined && config.noiseMultiplier !== undefined) throw new RangeError('give targetEpsilon or noiseMultiplier, not both');
  const exact = config.targetEpsilon === Infinity || config.noiseMultiplier === 0;
  const z = exact
    ? 0
    : (config.noiseMultiplier ?? calibrateNoiseMultiplier({ targetEpsilon: config.targetEpsilon ?? 1, delta, samplingRate: 1, steps: 1, accountant: config.accountant ?? 'rdp' }).noiseMultiplier);
  const ledger = new PrivacyLedger({ accountant: config.accountant ?? 'rdp' });
  let counts: Float32Array;
  let noiseStd = 0;
  if (exact) {
    // The non-private reference: every training positive counted, as the popularity baseline counts them.
    counts = itemPopularity(population, config.eventWeights);
  } else {
    const release = releaseTrainingPopularity(population, { maxItemsPerShopper, noiseMultiplier: z, seed: config.seed, ...(config.eventWeights === undefined ? {} : { eventWeights: config.eventWeights }) });
    ledger.record(release.mechanism);
    counts = release.counts.map((c) => Math.max(0, c));
    noiseStd = release.noiseStd;
  }
  const evaluation = onDeviceBaseline(population, {
    evalShoppers: evaluationSample(population.numShoppers, config.evalShoppers, config.seed),
    seed: config.seed,
    catalogue: config.catalogue,
    popularity: counts,
    ...(config.eventWeights === undefined ? {} : { eventWeights: config.eventWeights }),
    ...(config.scoring === undefined ? {} : { scoring: config.scoring }),
  });
  return { evaluation, epsilon: exact ? Infinity : ledger.epsilon(delta).epsilon, noiseMultiplier: z, noiseStd, ledger };
}
