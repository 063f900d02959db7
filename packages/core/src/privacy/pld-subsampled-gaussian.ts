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
 * Discretisation: "connect the dots" (Doroshenko, Ghazi, Kamath, Kumar,
 * Manurangsi 2022, "Connect the Dots: Tighter Discrete Approximations of
 * Privacy Loss Distributions", as dp_accounting does by default for the
 * Gaussian): a PLD on the grid ε = kΔ whose hockey-stick curve δ(ε)
 * interpolates the exact one, which is convex in e^ε, so the discrete PLD
 * is pessimistic (δ never below the truth, before or after composition).
 * The exact single-step δ(ε) is a difference of normal tail probabilities at
 * x(ε), the inverse of the monotone loss.
 */
import { erfc } from './log-math.js';
import type { DiscretePld } from './privacy-loss-distribution.js';

/** Which neighbouring dataset is the larger one; see the file comment. */
export type PldDirection = 'remove' | 'add';

// Beyond this many cells the grid stops and the flat top takes the rest
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
  /** P-mass each tail of the range may hold beyond the grid (and the per-composition tail truncation). */
  readonly tailMass: number;
}

function pointPld(interval: number, loss: number, mass: number, infinityMass: number): DiscretePld {
  return { interval, offset: Math.ceil(loss / interval - 1e-9), masses: Float64Array.of(mass), infinityMass };
}

/**
 * The PLD on grid losses ε_i = (offset + i)·Δ, i = 0 … n, whose δ(ε) passes
 * through the true δ(ε_i) at every grid point ("connect the dots",
 * Doroshenko et al. 2022, Alg. 1 and Thm. 3.3). As a function of e^ε a
 * discrete PLD's δ is piecewise linear with slope −W_i = −Σ_{j≥i} p_j e^{−ε_j}
 * on [ε_{i−1}, ε_i], so the chords of the true curve fix
 *   W_i = (δ_{i−1} − δ_i)/(e^{ε_i} − e^{ε_{i−1}}),  p_i = e^{ε_i}(W_i − W_{i+1}),
 * with P(∞) = δ_n (the curve held flat above the range), W_{n+1} = 0, and the
 * rest of the mass at ε_0. The true δ is convex in e^ε, so every chord lies
 * above it, the flat top is above it (δ falls), and below ε_0 the line to
 * (e^ε = 0, δ = 1) is above it too: the discrete PLD dominates the true one
 * everywhere, and dominance survives composition. Unlike rounding every loss
 * up (which shifts the composed loss by up to T·Δ after T steps), the error
 * is second order in Δ.
 */
function connectTheDots(interval: number, kMin: number, kMax: number, deltaAt: (epsilon: number) => number): DiscretePld {
  const n = kMax - kMin;
  const delta = new Float64Array(n + 1);
  const x = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    const epsilon = (kMin + i) * interval;
    // The true δ is in [0, 1] and at least 1 − e^ε; round-off must not leave that band.
    delta[i] = Math.min(1, Math.max(0, -Math.expm1(epsilon), deltaAt(epsilon)));
    x[i] = Math.exp(epsilon);
  }
  const masses = new Float64Array(n + 1);
  const infinityMass = delta[n] as number;
  let wNext = 0;
  let total = infinityMass;
  for (let i = n; i >= 1; i--) {
    // Slopes of a convex curve only steepen downwards; round-off must not break that (it would make a mass negative).
    const w = Math.max(wNext, ((delta[i - 1] as number) - (delta[i] as number)) / ((x[i] as number) - (x[i - 1] as number)));
    const p = (x[i] as number) * (w - wNext);
    masses[i] = p;
    total += p;
    wNext = w;
  }
  masses[0] = Math.max(0, 1 - total);
  return { interval, offset: kMin, masses, infinityMass };
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
  // The grid spans the losses of x within z·σ of the means; what lies beyond
  // is bounded by the flat top (P(∞) = δ at the last grid point) and by the
  // line to δ = 1 below the first, never dropped.
  const z = upperQuantile(tailMass / 2);
  const lossAt = (x: number): number => mixtureLogRatio(q, (2 * x - 1) / (2 * sigma * sigma));
  // −log(1 − q): the supremum of the add direction's loss and minus the infimum of the remove direction's.
  const bound = q < 1 ? -Math.log1p(-q) : Infinity;

  if (direction === 'remove') {
    // {ℓ > ε} = {x > x(ε)}: δ(ε) = P(x > x(ε)) − e^ε·Q(x > x(ε)) = q·Φ̄((x−1)/σ) − (e^ε − 1 + q)·Φ̄(x/σ).
    const deltaAt = (epsilon: number): number => {
      const x = removeInverse(q, sigma, epsilon);
      if (x === -Infinity) return -Math.expm1(epsilon);
      return q * normalSurvival((x - 1) / sigma) - (Math.expm1(epsilon) + q) * normalSurvival(x / sigma);
    };
    const kMin = Math.floor((q < 1 ? -bound : lossAt(-z * sigma)) / interval);
    const kMax = Math.min(kMin + MAX_CELLS, Math.ceil(lossAt(1 + z * sigma) / interval));
    return connectTheDots(interval, kMin, kMax, deltaAt);
  }
  // add: ℓ(x) = −ℓ_remove(x), so {ℓ > ε} = {x < b}, b = x_remove(−ε), and
  // δ(ε) = Φ(b/σ) − e^ε·((1 − q)Φ(b/σ) + q·Φ((b − 1)/σ)); 0 once ε ≥ −log(1 − q).
  const deltaAt = (epsilon: number): number => {
    const b = removeInverse(q, sigma, -epsilon);
    if (b === -Infinity) return 0;
    const e = Math.exp(epsilon);
    return (1 - e * (1 - q)) * normalCdf(b / sigma) - e * q * normalCdf((b - 1) / sigma);
  };
  const kMin = Math.floor(-lossAt(z * sigma) / interval);
  const kMax = Math.min(kMin + MAX_CELLS, Math.ceil((q < 1 ? bound : -lossAt(-z * sigma)) / interval));
  return connectTheDots(interval, kMin, kMax, deltaAt);
}
