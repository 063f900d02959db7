/**
 * The privacy loss distribution of one step of the Poisson-subsampled
 * Gaussian mechanism (sampling rate q, noise multiplier σ, sensitivity 1)
 * under add/remove adjacency, discretised pessimistically.
 *
 * The two dominating pairs (Koskela, Jälkö, Honkela 2020, §6; dp_accounting
 * `privacy_loss_mechanism.GaussianPrivacyLoss` with `sampling_prob`):
 *   remove: P = (1−q)·N(0, σ²) + q·N(1, σ²), Q = N(0, σ²),
 *           ℓ(x) = log(1 − q + q·e^{(2x−1)/(2σ²)}), increasing in x;
 *   add:    P = N(0, σ²), Q = (1−q)·N(0, σ²) + q·N(1, σ²),
 *           ℓ(x) = −log(1 − q + q·e^{(2x−1)/(2σ²)}), decreasing in x.
 * Neither dominates the other in general, so each is composed on its own and
 * the accountant reports the worse one.
 *
 * Discretisation (dp_accounting's pessimistic `from_privacy_loss_mechanism`,
 * Doroshenko et al. 2022, §3): the loss in ((k−1)Δ, kΔ] is rounded up to kΔ.
 * ℓ is monotone, so that cell is an interval of x whose P-mass is a
 * difference of normal CDFs at x(kΔ), the inverse of ℓ. X beyond z·σ of the
 * means (P-mass ≤ tail/2 on each side) is not dropped: below the range it
 * joins the lowest cell (a larger loss than its own), above it goes to +∞.
 */
import { erfc } from './log-math.js';
import type { DiscretePld } from './privacy-loss-distribution.js';

/** Which neighbouring dataset is the larger one; see the file comment. */
export type PldDirection = 'remove' | 'add';

// Beyond this many cells the upper part of the range goes to +∞ instead
// (pessimistic, and only reached for σ ≲ 0.05, where ε is enormous anyway).
const MAX_CELLS = 4_000_000;

/** P(X ≤ x) for X ~ N(0, 1). */
function normalCdf(x: number): number {
  return erfc(-x / Math.SQRT2) / 2;
}

/** P(X > x) for X ~ N(0, 1), without the cancellation of 1 − Φ(x). */
function normalSurvival(x: number): number {
  return erfc(x / Math.SQRT2) / 2;
}

/** P(a < X ≤ b) for X ~ N(0, 1), from whichever tail keeps relative precision. */
function normalMass(a: number, b: number): number {
  if (!(b > a)) return 0;
  if (a >= 0) return Math.max(0, normalSurvival(a) - normalSurvival(b));
  if (b <= 0) return Math.max(0, normalCdf(b) - normalCdf(a));
  return Math.max(0, 1 - normalCdf(a) - normalSurvival(b));
}

/** The z with P(N(0,1) > z) ≤ p, by bisection (p ≥ 1e-300). */
function upperQuantile(p: number): number {
  let lo = 0;
  let hi = 40;
  for (let n = 0; n < 100; n++) {
    const mid = (lo + hi) / 2;
    if (normalSurvival(mid) > p) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** log(1 − q + q·e^t), without overflow for large t. */
function mixtureLogRatio(q: number, t: number): number {
  if (t > 30) return t + Math.log(q) + Math.log1p(((1 - q) * Math.exp(-t)) / q);
  return Math.log1p(q * Math.expm1(t));
}

/** The x where the remove-direction loss equals ℓ: ½ + σ²·log((e^ℓ − 1 + q)/q); −∞ below log(1 − q). */
function removeInverse(q: number, sigma: number, loss: number): number {
  const inner = loss > 30 ? Math.exp(loss) / q : (Math.expm1(loss) + q) / q;
  if (!(inner > 0)) return -Infinity;
  return 0.5 + sigma * sigma * (loss > 30 ? loss - Math.log(q) + Math.log1p((q - 1) * Math.exp(-loss)) : Math.log(inner));
}

export interface PldDiscretisation {
  /** Δ, the grid spacing of loss values. */
  readonly interval: number;
  /** Mass each tail may lose into its bound (and the per-composition tail truncation). */
  readonly tailMass: number;
}

function pointPld(interval: number, loss: number, mass: number, infinityMass: number): DiscretePld {
  return { interval, offset: Math.ceil(loss / interval - 1e-9), masses: Float64Array.of(mass), infinityMass };
}

/**
 * The pessimistic PLD of one step of the subsampled Gaussian mechanism (q, σ)
 * in the given direction.
 *
 * @example
 * const pld = subsampledGaussianPld(0.01, 1.1, 'remove', { interval: 1e-4, tailMass: 1e-15 });
 * pldEpsilonForDelta(selfComposePld(pld, 1000, 1e-15), 1e-5); // ε after 1000 steps
 */
export function subsampledGaussianPld(samplingRate: number, noiseMultiplier: number, direction: PldDirection, discretisation: PldDiscretisation): DiscretePld {
  const q = samplingRate;
  const sigma = noiseMultiplier;
  const { interval, tailMass } = discretisation;
  if (q === 0 || sigma === Infinity) return pointPld(interval, 0, 1, 0);
  if (sigma === 0) {
    // No noise: the sampled record is seen exactly when it takes part.
    if (direction === 'remove') return q === 1 ? pointPld(interval, 0, 0, 1) : pointPld(interval, Math.log1p(-q), 1 - q, q);
    return q === 1 ? pointPld(interval, 0, 0, 1) : pointPld(interval, -Math.log1p(-q), 1, 0);
  }
  const z = upperQuantile(tailMass / 2);
  const s2 = 2 * sigma * sigma;
  const lossAt = (x: number): number => mixtureLogRatio(q, (2 * x - 1) / s2);
  // P-mass of (a, b]: the remove direction's P is the mixture, the add direction's N(0, σ²).
  const mass =
    direction === 'remove'
      ? (a: number, b: number): number => (1 - q) * normalMass(a / sigma, b / sigma) + q * normalMass((a - 1) / sigma, (b - 1) / sigma)
      : (a: number, b: number): number => normalMass(a / sigma, b / sigma);

  if (direction === 'remove') {
    // Cell k holds x ∈ (x(k−1), x(k)] with x(k) = removeInverse(kΔ).
    const kMin = Math.ceil(lossAt(-z * sigma) / interval);
    const kMax = Math.min(kMin + MAX_CELLS, Math.ceil(lossAt(1 + z * sigma) / interval));
    const masses = new Float64Array(kMax - kMin + 1);
    let previous = -Infinity;
    for (let k = kMin; k <= kMax; k++) {
      const bound = removeInverse(q, sigma, k * interval);
      masses[k - kMin] = mass(previous, bound);
      previous = bound;
    }
    return { interval, offset: kMin, masses, infinityMass: mass(previous, Infinity) };
  }
  // add: ℓ(x) = −ℓ_remove(x), so cell k holds x ∈ [x(k), x(k−1)) with
  // x(k) = removeInverse(−kΔ), which is −∞ once kΔ ≥ −log(1 − q) (the loss's supremum).
  const kMin = Math.ceil(-lossAt(z * sigma) / interval);
  // For q < 1 the loss is bounded by −log(1 − q): cover up to there and nothing goes to +∞.
  const top = q < 1 ? -Math.log1p(-q) : -lossAt(-z * sigma);
  const kMax = Math.min(kMin + MAX_CELLS, Math.ceil(top / interval));
  const masses = new Float64Array(kMax - kMin + 1);
  let previous = Infinity;
  for (let k = kMin; k <= kMax; k++) {
    const bound = removeInverse(q, sigma, -k * interval);
    // Half-open the other way round does not matter: N(0, σ²) has no atoms.
    masses[k - kMin] = mass(bound, previous);
    previous = bound;
  }
  return { interval, offset: kMin, masses, infinityMass: mass(-Infinity, previous) };
}
