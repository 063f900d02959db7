import { deriveSeed } from '@fedrec/core/random';
import type { Population } from '../population/population.js';
import { evaluationSample } from '../baselines/evaluation-sample.js';

export interface ServerLearningRateInputs {
  /** Catalogue size. */
  readonly items: number;
  /** Distinct items in a shopper's history, on average (see `meanItemsPerShopper`). */
  readonly meanItemsPerShopper: number;
  readonly rounds: number;
  /** Expected cohort n = q · shoppers. */
  readonly expectedCohort: number;
}

/** Calibrated on MovieLens-100K and synthetic shoppers (see `defaultServerLearningRate`). */
export const SERVER_STEP_SCALE = 30;

/**
 * The noise-free server learning rate η of FedAvg for a catalogue and a
 * schedule:
 *
 *   η = min(n, 30 · items / (rounds · √m)),
 *
 * m the mean number of distinct items per shopper, n the expected cohort.
 *
 * Why: the mean of a cohort's deltas dilutes an item's update by the share of
 * the cohort that touched it. Over a run an average item is touched
 * rounds · n · m / items times, each touch a clipped delta whose rows carry
 * ~1/√m of its norm, so its total movement is ∝ η · rounds · √m / items. The
 * rule holds that movement fixed: a long-tail catalogue where each shopper
 * saw a few items (Amazon Beauty: 12,101 items, m ≈ 9) gets a far larger
 * step than MovieLens-100K (1,682 items, m ≈ 106), which with a fixed η = 20
 * learnt less than popularity. Capped at n: a step never applies more than
 * the sum of the cohort's deltas.
 *
 * With noise, `FederatedSimulationConfig.maxModelNoiseStd` lowers it further
 * (a larger step amplifies the noise as much as the signal).
 *
 * @example
 * const eta = defaultServerLearningRate({ items: 1682, meanItemsPerShopper: 106, rounds: 95, expectedCohort: 100 }); // ≈ 51.6
 */
export function defaultServerLearningRate(inputs: ServerLearningRateInputs): number {
  const { items, meanItemsPerShopper, rounds, expectedCohort } = inputs;
  if (!Number.isSafeInteger(items) || items < 1) throw new RangeError(`expected items to be a positive integer, got ${items}`);
  if (!(meanItemsPerShopper > 0 && Number.isFinite(meanItemsPerShopper))) throw new RangeError(`expected meanItemsPerShopper > 0, got ${meanItemsPerShopper}`);
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new RangeError(`expected rounds to be a positive integer, got ${rounds}`);
  if (!(expectedCohort > 0 && Number.isFinite(expectedCohort))) throw new RangeError(`expected expectedCohort > 0, got ${expectedCohort}`);
  return Math.min(expectedCohort, (SERVER_STEP_SCALE * items) / (rounds * Math.sqrt(meanItemsPerShopper)));
}

/**
 * Mean number of distinct items per shopper, over a seeded sample of at most
 * `sampleSize` shoppers (all of them in a smaller population): synthetic
 * shoppers are generated on demand, so a million of them are not all drawn.
 * Shoppers with no events count as 0; the result is at least 1.
 */
export function meanItemsPerShopper(population: Population, options: { readonly seed: string | number; readonly sampleSize?: number }): number {
  const sample = evaluationSample(population.numShoppers, options.sampleSize ?? 2_000, deriveSeed(options.seed, 'history-length'));
  if (sample.length === 0) return 1;
  let total = 0;
  for (const index of sample) total += new Set(population.shopper(index).events.map((e) => e.item)).size;
  return Math.max(1, total / sample.length);
}
