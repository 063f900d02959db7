import type { RandomSource } from '../random/random-source.js';
import { gaussianVector } from '../random/gaussian.js';

export interface AdaptiveClippingConfig {
  /** C at the first round. */
  readonly initialClipNorm: number;
  /** γ: the fraction of updates the bound should leave unclipped (0.5 tracks the median norm). */
  readonly targetQuantile: number;
  /** η_C of the geometric update C ← C·exp(−η_C (b̄ − γ)). */
  readonly learningRate: number;
  /** σ_b: standard deviation of the noise on the count of unclipped updates. */
  readonly countNoiseStd: number;
}

export const DEFAULT_ADAPTIVE_CLIPPING: Omit<AdaptiveClippingConfig, 'initialClipNorm' | 'countNoiseStd'> = {
  targetQuantile: 0.5,
  learningRate: 0.2,
};

/**
 * Adaptive clipping (Andrew, Thakkar, McMahan, Ramaswamy, "Differentially
 * private learning with adaptive clipping", NeurIPS 2021): the clip bound
 * follows a target quantile γ of the update norms. Each round every shopper
 * also reports one bit, b = 1[‖Δ‖ ≤ C]; the server adds N(0, σ_b²) to their
 * sum and moves C geometrically:
 *
 *   b̄ = (Σ b + N(0, σ_b²)) / n,   C ← C · exp(−η_C (b̄ − γ)).
 *
 * The noised count is a second Gaussian query on the same shoppers; see
 * {@link updateNoiseMultiplier} for how the two share one privacy budget.
 */
export class AdaptiveClipping {
  #clipNorm: number;
  readonly config: AdaptiveClippingConfig;

  constructor(config: AdaptiveClippingConfig) {
    const { initialClipNorm, targetQuantile, learningRate, countNoiseStd } = config;
    if (!(initialClipNorm > 0 && Number.isFinite(initialClipNorm))) throw new RangeError(`expected initialClipNorm > 0, got ${initialClipNorm}`);
    if (!(targetQuantile > 0 && targetQuantile < 1)) throw new RangeError(`expected targetQuantile in (0, 1), got ${targetQuantile}`);
    if (!(learningRate > 0 && Number.isFinite(learningRate))) throw new RangeError(`expected learningRate > 0, got ${learningRate}`);
    if (!(countNoiseStd >= 0 && Number.isFinite(countNoiseStd))) throw new RangeError(`expected countNoiseStd >= 0, got ${countNoiseStd}`);
    this.config = config;
    this.#clipNorm = initialClipNorm;
  }

  /** The bound to clip this round's updates to. */
  get clipNorm(): number {
    return this.#clipNorm;
  }

  /** A shopper's one-bit report: is my update's norm within the bound? */
  static unclippedBit(updateNorm: number, clipNorm: number): 0 | 1 {
    return updateNorm <= clipNorm ? 1 : 0;
  }

  /**
   * Advance one round from the sum of the cohort's bits. `expectedCohort` is
   * the n that normalises the count — the *expected* cohort size under
   * Poisson sampling (q · population), so that the denominator reveals
   * nothing about who took part. Returns the new bound.
   */
  update(unclippedCount: number, expectedCohort: number, noise: RandomSource): number {
    if (!(expectedCohort > 0)) throw new RangeError(`expected expectedCohort > 0, got ${expectedCohort}`);
    const { targetQuantile, learningRate, countNoiseStd } = this.config;
    const noisy = unclippedCount + (countNoiseStd > 0 ? gaussianVector(1, countNoiseStd, noise)[0]! : 0);
    const fraction = noisy / expectedCohort;
    this.#clipNorm *= Math.exp(-learningRate * (fraction - targetQuantile));
    return this.#clipNorm;
  }

  toJSON(): { clipNorm: number; config: AdaptiveClippingConfig } {
    return { clipNorm: this.#clipNorm, config: this.config };
  }

  static fromJSON(json: { clipNorm: number; config: AdaptiveClippingConfig }): AdaptiveClipping {
    const restored = new AdaptiveClipping(json.config);
    if (!(json.clipNorm > 0 && Number.isFinite(json.clipNorm))) throw new RangeError(`expected clipNorm > 0, got ${json.clipNorm}`);
    restored.#clipNorm = json.clipNorm;
    return restored;
  }
}

/**
 * Split one privacy budget between the update and the clipped count.
 *
 * Releasing the noised sum of clipped updates (sensitivity C, noise z_Δ·C)
 * and the noised count of unclipped bits (sensitivity 1/2 after centring,
 * noise σ_b) is, for Rényi DP, the same as one Gaussian mechanism with noise
 * multiplier z where z⁻² = z_Δ⁻² + (2σ_b)⁻² (Andrew et al. 2021, Thm. 1).
 * Given the z the accountant charges for, the update gets
 *
 *   z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2),
 *
 * so the ledger records z and the guarantee covers both releases.
 */
export function updateNoiseMultiplier(totalNoiseMultiplier: number, countNoiseStd: number): number {
  if (!(totalNoiseMultiplier > 0)) throw new RangeError(`expected totalNoiseMultiplier > 0, got ${totalNoiseMultiplier}`);
  if (countNoiseStd === 0) throw new RangeError('expected countNoiseStd > 0: a noiseless count would spend unbounded privacy');
  const rest = totalNoiseMultiplier ** -2 - (2 * countNoiseStd) ** -2;
  if (rest <= 0) {
    throw new RangeError(`expected 2·countNoiseStd > totalNoiseMultiplier (the count must not use the whole budget), got 2·${countNoiseStd} <= ${totalNoiseMultiplier}`);
  }
  return rest ** -0.5;
}
