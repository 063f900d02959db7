/**
 * A discrete privacy loss distribution (PLD) on the grid ℓ = kΔ, its
 * composition, and the (ε, δ) it guarantees.
 *
 * For a dominating pair (P, Q) the privacy loss is ℓ(x) = log(P(x)/Q(x)) and
 * its distribution under X ~ P determines the tight
 *   δ(ε) = E[(1 − e^{ε−ℓ(X)})₊] + P(ℓ = ∞)
 * (Sommer, Meiser, Mohammadi 2019; Koskela, Jälkö, Honkela 2020, eq. 3). The
 * PLD of a composition is the convolution of the PLDs (Koskela et al. 2020,
 * Thm. 6), and (1 − e^{ε−ℓ})₊ is non-decreasing in ℓ, so a PLD whose losses
 * are all moved up (or to +∞) gives a δ(ε) that is never smaller than the
 * truth, through any number of compositions: this is the "pessimistic"
 * estimate of Google's dp_accounting (`pld_pmf.py`) and of Doroshenko et al.
 * 2022, "Connect the Dots", §3. Every step here only ever moves mass upward.
 */
import { convolve } from './fft-convolution.js';

export interface DiscretePld {
  /** Δ, the grid spacing of the loss values. */
  readonly interval: number;
  /** Loss of `masses[0]` in units of Δ: masses[i] sits at loss (offset + i)·Δ. */
  readonly offset: number;
  /** Probability at each grid loss; non-negative. */
  readonly masses: Float64Array;
  /** P(ℓ = ∞) plus every mass moved there (truncated upper tails, FFT round-off bounds). */
  readonly infinityMass: number;
}

/** The PLD of a mechanism that reveals nothing: all mass at loss 0. */
export function identityPld(interval: number): DiscretePld {
  return { interval, offset: 0, masses: Float64Array.of(1), infinityMass: 0 };
}

/**
 * Drops the lower tail of mass ≤ tail/2 into the first kept cell (a larger
 * loss: pessimistic) and the upper tail of mass ≤ tail/2 into +∞, and trims
 * zeros at both ends. Keeps the support, and so the FFT sizes, from growing
 * with cells that cannot move δ by more than `tail`.
 */
export function truncateTails(pld: DiscretePld, tail: number): DiscretePld {
  const { masses } = pld;
  let lo = 0;
  let lowMass = 0;
  while (lo < masses.length - 1 && lowMass + (masses[lo] as number) <= tail / 2) lowMass += masses[lo++] as number;
  let hi = masses.length - 1;
  let highMass = 0;
  while (hi > lo && highMass + (masses[hi] as number) <= tail / 2) highMass += masses[hi--] as number;
  if (lo === 0 && hi === masses.length - 1) return pld;
  const kept = masses.slice(lo, hi + 1);
  kept[0] = (kept[0] as number) + lowMass;
  return { interval: pld.interval, offset: pld.offset + lo, masses: kept, infinityMass: pld.infinityMass + highMass };
}

/** The PLD of running both mechanisms (same grid): the convolution of their PLDs, tails truncated. */
export function composePld(a: DiscretePld, b: DiscretePld, tail: number): DiscretePld {
  if (a.interval !== b.interval) throw new RangeError(`expected PLDs on the same grid, got intervals ${a.interval} and ${b.interval}`);
  const { values, errorBound } = convolve(a.masses, b.masses);
  // P(∞) of the composition: 1 − (1 − a∞)(1 − b∞); the round-off bound is
  // added to it because moving mass to +∞ can only raise δ.
  const infinityMass = Math.min(1, a.infinityMass + b.infinityMass - a.infinityMass * b.infinityMass + errorBound);
  return truncateTails({ interval: a.interval, offset: a.offset + b.offset, masses: values, infinityMass }, tail);
}

/** `times` compositions of `pld` with itself, by repeated squaring (O(log times) convolutions). */
export function selfComposePld(pld: DiscretePld, times: number, tail: number): DiscretePld {
  if (!(Number.isSafeInteger(times) && times >= 0)) throw new RangeError(`expected times to be a non-negative integer, got ${times}`);
  let result: DiscretePld | null = null;
  let power = pld;
  for (let n = times; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) result = result === null ? power : composePld(result, power, tail);
    if (n > 1) power = composePld(power, power, tail);
  }
  return result ?? identityPld(pld.interval);
}

/** δ(ε) = Σ p(ℓ)·(1 − e^{ε−ℓ})₊ + P(∞) (clamped to [0, 1]). */
export function pldDeltaForEpsilon(pld: DiscretePld, epsilon: number): number {
  const { interval, offset, masses } = pld;
  let delta = pld.infinityMass;
  for (let i = masses.length - 1; i >= 0; i--) {
    const loss = (offset + i) * interval;
    if (loss <= epsilon) break;
    delta += (masses[i] as number) * -Math.expm1(epsilon - loss);
  }
  return Math.min(1, Math.max(0, delta));
}

/**
 * The smallest ε ≥ 0 with δ(ε) ≤ delta (Infinity when P(∞) > delta). Exact
 * for the discrete PLD: between consecutive grid losses ℓ_{i−1} ≤ ε < ℓ_i,
 * δ(ε) = P(∞) + S_i − e^ε·W_i with S_i = Σ_{j≥i} p_j and W_i = Σ_{j≥i} p_j e^{−ℓ_j},
 * so scanning down from the top solves for ε in closed form (as
 * dp_accounting's `get_epsilon_for_delta` does).
 */
export function pldEpsilonForDelta(pld: DiscretePld, delta: number): number {
  const { interval, offset, masses, infinityMass } = pld;
  if (infinityMass > delta) return Infinity;
  let s = 0;
  let w = 0;
  for (let i = masses.length - 1; i >= 0; i--) {
    const p = masses[i] as number;
    const loss = (offset + i) * interval;
    if (loss <= 0) break;
    s += p;
    w += p * Math.exp(-loss);
    if (w === 0) continue;
    const candidate = Math.log((infinityMass + s - delta) / w);
    const below = i === 0 ? -Infinity : (offset + i - 1) * interval;
    if (candidate >= below) return Math.max(0, candidate);
  }
  return 0;
}
