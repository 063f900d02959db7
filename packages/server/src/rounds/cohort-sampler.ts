import type { RandomSource } from '@fedrec/core/random';
import { nextInt } from '@fedrec/core/random';
import type { SamplingConfig } from '../config/server-config.js';

/**
 * Picks a round's cohort from the eligible clients, using `random` (a seeded
 * stream derived per round).
 *
 * Poisson: every eligible client is included independently with probability
 * `rate`, so the cohort size varies — the sampling the subsampled-Gaussian
 * privacy accounting assumes. Fixed: a uniformly random subset of `size`
 * (every eligible client if there are fewer).
 *
 * `eligible` must be in a canonical order (sorted), so that the same seed and
 * the same population give the same cohort.
 */
export function sampleCohort(eligible: readonly string[], sampling: SamplingConfig, random: RandomSource): string[] {
  if (sampling.kind === 'poisson') {
    return eligible.filter(() => random.nextFloat() < sampling.rate);
  }
  const pool = eligible.slice();
  const size = Math.min(sampling.size, pool.length);
  // Partial Fisher–Yates: the first `size` slots end up a uniform random subset.
  for (let i = 0; i < size; i++) {
    const j = i + nextInt(random, pool.length - i);
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, size).sort();
}
