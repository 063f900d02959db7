import { addGaussianNoise } from '../random/gaussian.js';
import type { RandomSource } from '../random/random-source.js';
import type { RecordedMechanism } from './privacy-ledger.js';

export interface PrivatePopularityOptions {
  readonly numItems: number;
  /**
   * k: each shopper counts at most this many distinct items (the first k of
   * their list: pass it most recent first). This bounds what adding or removing
   * one shopper changes: an L2 distance of at most √k, the sensitivity.
   */
  readonly maxItemsPerShopper: number;
  /** z: the noise std per item is z·√k, the Gaussian mechanism's σ relative to the sensitivity. */
  readonly noiseMultiplier: number;
  /** The noise. In a real deployment a cryptographic source; in simulation a seeded stream used for nothing else. */
  readonly noise: RandomSource;
}

/** Item counts released once under the Gaussian mechanism, and what to record in the privacy ledger for them. */
export interface PrivatePopularity {
  /** Noisy counts per item (may be negative: use them as they are, or clamp at 0 for display). */
  readonly counts: Float32Array;
  /** Std of the noise added to each count: z·√k. */
  readonly noiseStd: number;
  /**
   * The release as one step of the Gaussian mechanism on every shopper
   * (q = 1, σ = z): record it in the same ledger as the rounds so the ε a run
   * reports covers it too.
   */
  readonly mechanism: RecordedMechanism;
  /** Shoppers whose list was cut to k items. */
  readonly truncated: number;
}

/**
 * Private item popularity: how many shoppers engaged with each item, with each
 * shopper counted at most once per item and on at most k items, plus Gaussian
 * noise of std z·√k per item (the Gaussian mechanism, Dwork & Roth 2014 §A;
 * accounted exactly as a non-subsampled Gaussian by the RDP or PLD accountant).
 * Exact counts reveal whether one shopper bought a rare item; these do not,
 * beyond the ε recorded.
 *
 * @example
 * const release = releasePrivatePopularity(shoppers.map((s) => s.recentItems), { numItems, maxItemsPerShopper: 20, noiseMultiplier: 5, noise });
 * ledger.record(release.mechanism);
 */
export function releasePrivatePopularity(itemsPerShopper: Iterable<ArrayLike<number>>, options: PrivatePopularityOptions): PrivatePopularity {
  const { numItems, maxItemsPerShopper: k, noiseMultiplier: z } = options;
  if (!Number.isSafeInteger(numItems) || numItems < 1) throw new RangeError(`expected numItems >= 1, got ${numItems}`);
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`expected maxItemsPerShopper >= 1, got ${k}`);
  if (!Number.isFinite(z) || z <= 0) throw new RangeError(`expected a finite noiseMultiplier > 0, got ${z}`);
  const counts = new Float64Array(numItems);
  const seen = new Set<number>();
  let truncated = 0;
  for (const items of itemsPerShopper) {
    seen.clear();
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (!Number.isInteger(item) || item < 0 || item >= numItems) throw new RangeError(`expected item indices in [0, ${numItems}), got ${item}`);
      if (seen.has(item)) continue;
      if (seen.size === k) {
        truncated++;
        break;
      }
      seen.add(item);
      counts[item]!++;
    }
  }
  const noiseStd = z * Math.sqrt(k);
  addGaussianNoise(counts, noiseStd, options.noise);
  return { counts: Float32Array.from(counts), noiseStd, mechanism: { samplingRate: 1, noiseMultiplier: z, steps: 1 }, truncated };
}
