/**
 * Budget planning: the least noise for a target ε, and the most steps a
 * noise level affords. Both rest on ε being monotone (RDP falls with σ and
 * grows with steps at every order, and the conversions are monotone in RDP),
 * so a bracket followed by bisection finds the boundary.
 */
import {
  assertDelta,
  assertNoiseMultiplier,
  assertSamplingRate,
  assertSteps,
  assertTargetEpsilon,
} from './privacy-params.js';
import { pldEpsilon } from './pld-accountant.js';
import type { AccountantName } from './privacy-accountant.js';
import { resolveRdpOrders, type RdpOrdersInput } from './rdp-orders.js';
import { subsampledGaussianRdpVector } from './rdp-subsampled-gaussian.js';
import { rdpToEpsilon, type DpConversion } from './rdp-to-dp.js';
import { PrivacyLedger } from './privacy-ledger.js';

export interface CalibrateNoiseOptions {
  readonly targetEpsilon: number;
  readonly delta: number;
  readonly samplingRate: number;
  readonly steps: number;
  /** Default: the dp-accounting preset. */
  readonly orders?: RdpOrdersInput;
  /** Default: improved. */
  readonly conversion?: DpConversion;
  /**
   * Default: rdp. With pld, ε at each σ is min(ε_PLD, ε_RDP) (see
   * privacy-accountant.ts), so the σ found is at most RDP's.
   */
  readonly accountant?: AccountantName;
}

export interface CalibratedNoise {
  /** The smallest σ found whose ε is at most the target (within 0.01% of the true minimum). */
  readonly noiseMultiplier: number;
  /** ε at that σ. */
  readonly epsilon: number;
}

export interface MaxStepsOptions {
  readonly targetEpsilon: number;
  readonly delta: number;
  readonly samplingRate: number;
  readonly noiseMultiplier: number;
  /** Default: the dp-accounting preset. */
  readonly orders?: RdpOrdersInput;
  /** Default: improved. */
  readonly conversion?: DpConversion;
}

// Stop bisecting once the bracket is this narrow relative to σ: ten times
// tighter than the 0.1% promised, so σ·(1 − 0.001) is always over budget.
const SIGMA_RELATIVE_TOLERANCE = 1e-4;
// Doubling or halving σ this many times spans 1e-300 … 1e300; running out
// means the target sits on an asymptote that no finite σ reaches.
const MAX_BRACKET_STEPS = 1000;

function epsilonOf(orders: readonly number[], rdp: readonly number[], delta: number, conversion: DpConversion): number {
  return rdpToEpsilon(orders, rdp, delta, conversion).epsilon;
}

function scaled(vector: readonly number[], steps: number): number[] {
  return vector.map((v) => (v === 0 ? 0 : steps * v));
}

/**
 * The smallest noise multiplier σ for which `steps` steps at sampling rate q
 * stay within (targetEpsilon, delta). Throws RangeError when no σ can reach
 * the target (with the classic conversion ε stays above −log δ / (α_max − 1)
 * however much noise is added).
 */
export function calibrateNoiseMultiplier(options: CalibrateNoiseOptions): CalibratedNoise {
  const { targetEpsilon, delta, samplingRate, steps } = options;
  assertTargetEpsilon(targetEpsilon);
  assertDelta(delta);
  assertSamplingRate(samplingRate);
  assertSteps(steps);
  const orders = resolveRdpOrders(options.orders);
  const conversion = options.conversion ?? 'improved';
  const epsilonAt = (sigma: number): number =>
    epsilonOf(orders, scaled(subsampledGaussianRdpVector(samplingRate, sigma, orders), steps), delta, conversion);

  // The floor: what the conversion gives for zero privacy loss.
  const floor = epsilonOf(orders, orders.map(() => 0), delta, conversion);
  if (floor > targetEpsilon) {
    throw new RangeError(
      `expected a reachable targetEpsilon, got ${targetEpsilon}: even unlimited noise gives epsilon ${floor} ` +
        `with the ${conversion} conversion at delta ${delta} (use larger orders or the improved conversion)`,
    );
  }
  if (samplingRate === 0 || steps === 0) return { noiseMultiplier: 0, epsilon: floor };

  // Bracket: ε(lo) > target ≥ ε(hi).
  let lo: number;
  let hi: number;
  let hiEpsilon: number;
  const atOne = epsilonAt(1);
  if (atOne <= targetEpsilon) {
    const bracket = bracketDown({ noiseMultiplier: 1, epsilon: atOne }, 0.5, targetEpsilon, epsilonAt);
    lo = bracket.lo;
    hi = bracket.hi.noiseMultiplier;
    hiEpsilon = bracket.hi.epsilon;
  } else {
    lo = 1;
    hi = 2;
    for (let n = 0; ; n++) {
      const e = epsilonAt(hi);
      if (e <= targetEpsilon) {
        hiEpsilon = e;
        break;
      }
      if (n >= MAX_BRACKET_STEPS) {
        throw new RangeError(`expected a reachable targetEpsilon, got ${targetEpsilon}: no finite noise multiplier reaches it`);
      }
      lo = hi;
      hi *= 2;
    }
  }

  const rdp = bisectNoise(lo, { noiseMultiplier: hi, epsilon: hiEpsilon }, targetEpsilon, epsilonAt);
  return options.accountant === 'pld' ? calibrateWithPld(options, rdp, epsilonAt) : rdp;
}

/**
 * Refines RDP's σ under the PLD accountant. RDP's σ already meets the target
 * (min(ε_PLD, ε_RDP) ≤ ε_RDP), so it is the upper end of the bracket; the
 * lower end is found by halving. Each evaluation is a PLD composition, so
 * the bracket starts where the answer is (PLD saves well under half the noise).
 */
function calibrateWithPld(options: CalibrateNoiseOptions, rdp: CalibratedNoise, rdpEpsilonAt: (sigma: number) => number): CalibratedNoise {
  const { targetEpsilon, delta, samplingRate, steps } = options;
  if (rdp.noiseMultiplier === 0) return rdp;
  const epsilonAt = (sigma: number): number =>
    Math.min(rdpEpsilonAt(sigma), pldEpsilon([{ samplingRate, noiseMultiplier: sigma, steps }], delta));
  const start = { noiseMultiplier: rdp.noiseMultiplier, epsilon: epsilonAt(rdp.noiseMultiplier) };
  const { lo, hi } = bracketDown(start, start.noiseMultiplier * 0.8, targetEpsilon, epsilonAt);
  return bisectNoise(lo, hi, targetEpsilon, epsilonAt);
}

/**
 * From `hi` (ε at most the target), tries `lo` and halves it until ε(lo)
 * exceeds the target; each σ that still meets it becomes the new `hi`.
 */
function bracketDown(hi: CalibratedNoise, lo: number, targetEpsilon: number, epsilonAt: (sigma: number) => number): { lo: number; hi: CalibratedNoise } {
  for (let n = 0; ; n++) {
    const epsilon = epsilonAt(lo);
    if (epsilon > targetEpsilon) return { lo, hi };
    if (n >= MAX_BRACKET_STEPS) throw new RangeError(`expected epsilon to exceed ${targetEpsilon} for small noise, but it did not`);
    hi = { noiseMultiplier: lo, epsilon };
    lo /= 2;
  }
}

/**
 * Bisection between `lo` (ε above the target) and `hi` (ε at most the target)
 * down to SIGMA_RELATIVE_TOLERANCE: the smallest σ found whose ε meets the target.
 */
function bisectNoise(lo: number, hi: CalibratedNoise, targetEpsilon: number, epsilonAt: (sigma: number) => number): CalibratedNoise {
  let best = hi;
  while (best.noiseMultiplier - lo > SIGMA_RELATIVE_TOLERANCE * best.noiseMultiplier) {
    const mid = lo + (best.noiseMultiplier - lo) / 2;
    const epsilon = epsilonAt(mid);
    if (epsilon <= targetEpsilon) best = { noiseMultiplier: mid, epsilon };
    else lo = mid;
  }
  return best;
}

/**
 * The largest number of steps at (q, σ) whose ε stays within the target, or
 * 0 when even one step exceeds it. Infinity when a step costs nothing (q = 0
 * or σ = ∞); capped at Number.MAX_SAFE_INTEGER.
 */
export function maxSteps(options: MaxStepsOptions): number {
  const { targetEpsilon, delta, samplingRate, noiseMultiplier } = options;
  assertTargetEpsilon(targetEpsilon);
  assertDelta(delta);
  assertSamplingRate(samplingRate);
  assertNoiseMultiplier(noiseMultiplier);
  const orders = resolveRdpOrders(options.orders);
  const conversion = options.conversion ?? 'improved';
  // ε depends on steps only through steps × (per-step RDP): compute that once.
  const perStep = subsampledGaussianRdpVector(samplingRate, noiseMultiplier, orders);
  if (perStep.every((v) => v === 0)) return Infinity;
  const fits = (steps: number): boolean => epsilonOf(orders, scaled(perStep, steps), delta, conversion) <= targetEpsilon;

  if (!fits(1)) return 0;
  // Exponential search for a bracket fits(lo) ∧ ¬fits(hi), then bisection.
  let lo = 1;
  let hi = 2;
  while (fits(hi)) {
    lo = hi;
    if (hi === Number.MAX_SAFE_INTEGER) return hi;
    hi = Math.min(hi * 2, Number.MAX_SAFE_INTEGER);
  }
  while (hi - lo > 1) {
    const mid = Math.floor(lo + (hi - lo) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The smallest σ for `steps` more steps at rate q after what `ledger`
 * already holds (a release made before the rounds), such that the whole
 * ledger stays within (targetEpsilon, delta) under the ledger's accountant.
 * Throws RangeError when what the ledger holds already spends the target.
 */
export function calibrateNoiseMultiplierAfter(ledger: PrivacyLedger, options: Omit<CalibrateNoiseOptions, 'accountant' | 'orders'>): CalibratedNoise {
  const { targetEpsilon, delta, samplingRate, steps } = options;
  assertTargetEpsilon(targetEpsilon);
  assertDelta(delta);
  assertSamplingRate(samplingRate);
  assertSteps(steps);
  const already = ledger.totalSteps === 0 ? 0 : ledger.epsilon(delta).epsilon;
  if (already >= targetEpsilon) throw new RangeError(`expected a target above the ${already} the ledger already spends, got ${targetEpsilon}`);
  const epsilonAt = (sigma: number): number => {
    const probe = new PrivacyLedger({ orders: ledger.orders, accountant: ledger.accountant });
    for (const entry of ledger.entries()) probe.record(entry);
    probe.record({ samplingRate, noiseMultiplier: sigma, steps });
    return probe.epsilon(delta).epsilon;
  };
  if (samplingRate === 0 || steps === 0) return { noiseMultiplier: 0, epsilon: already };
  // Up from σ = 1 until the target is met, then down to the boundary.
  let hi = { noiseMultiplier: 1, epsilon: epsilonAt(1) };
  for (let n = 0; hi.epsilon > targetEpsilon; n++) {
    if (n >= MAX_BRACKET_STEPS) throw new RangeError(`expected some noise to meet epsilon ${targetEpsilon}, but none did`);
    hi = { noiseMultiplier: hi.noiseMultiplier * 2, epsilon: epsilonAt(hi.noiseMultiplier * 2) };
  }
  const { lo, hi: top } = bracketDown(hi, hi.noiseMultiplier / 2, targetEpsilon, epsilonAt);
  return bisectNoise(lo, top, targetEpsilon, epsilonAt);
}
