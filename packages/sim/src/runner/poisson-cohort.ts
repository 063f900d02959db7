import type { RandomSource } from '@fedrec/core';

/**
 * Poisson sampling: every shopper joins the round independently with
 * probability q — the sampling the privacy accountant assumes. Skips ahead by
 * geometric gaps, so a round costs O(cohort), not O(population).
 */
export function poissonCohort(populationSize: number, samplingRate: number, random: RandomSource): number[] {
  if (!(samplingRate >= 0 && samplingRate <= 1)) throw new RangeError(`expected q in [0, 1], got ${samplingRate}`);
  const cohort: number[] = [];
  if (samplingRate === 0) return cohort;
  if (samplingRate === 1) return Array.from({ length: populationSize }, (_, i) => i);
  const logMiss = Math.log1p(-samplingRate);
  let i = -1;
  for (;;) {
    i += 1 + Math.floor(Math.log(1 - random.nextFloat()) / logMiss);
    if (i >= populationSize) return cohort;
    cohort.push(i);
  }
}
