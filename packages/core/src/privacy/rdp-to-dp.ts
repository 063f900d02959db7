/**
 * From an RDP curve (one value per order) to an (ε, δ)-DP guarantee.
 *
 * Every order gives a valid bound, so the result is the best one over the
 * tracked orders, reported with the order that achieved it (an optimum at the
 * edge of the list says the list should be widened).
 */
import { assertDelta, assertEpsilon } from './privacy-params.js';

/**
 * `classic`: Mironov 2017, Proposition 3: ε = RDP(α) − log(δ)/(α−1).
 * `improved`: Balle et al. 2020 (Proposition 12) / Canonne, Kamath, Steinke
 * 2020, as in dp-accounting's `_compute_epsilon`: ε = RDP(α) + log(1 − 1/α) −
 * (log δ + log α)/(α−1), never worse than `classic`.
 */
export type DpConversion = 'improved' | 'classic';

export const DP_CONVERSIONS: readonly DpConversion[] = Object.freeze(['improved', 'classic']);

export function isDpConversion(name: string): name is DpConversion {
  return name === 'improved' || name === 'classic';
}

export interface EpsilonResult {
  readonly epsilon: number;
  /** The order α whose bound gave `epsilon`. */
  readonly order: number;
}

export interface DeltaResult {
  readonly delta: number;
  /** The order α whose bound gave `delta`. */
  readonly order: number;
}

// The improved bound divides by α − 1 and loses all precision as α → 1;
// dp-accounting skips such orders the same way.
const IMPROVED_MIN_ORDER = 1.01;

function assertConversion(conversion: unknown): asserts conversion is DpConversion {
  if (typeof conversion !== 'string' || !isDpConversion(conversion)) {
    throw new RangeError(`expected conversion "improved" or "classic", got ${JSON.stringify(conversion)}`);
  }
}

function assertCurve(orders: readonly number[], rdp: readonly number[]): void {
  if (!Array.isArray(orders) || !Array.isArray(rdp)) throw new TypeError('expected orders and rdp to be arrays');
  if (orders.length === 0) throw new RangeError('expected at least one order, got an empty list');
  if (orders.length !== rdp.length) {
    throw new RangeError(`expected one RDP value per order, got ${rdp.length} values for ${orders.length} orders`);
  }
  orders.forEach((order, i) => {
    if (typeof order !== 'number') throw new TypeError(`expected orders[${i}] to be a number, got ${typeof order}`);
    if (!(order > 1 && Number.isFinite(order))) throw new RangeError(`expected orders[${i}] to be finite and > 1, got ${order}`);
  });
  rdp.forEach((value, i) => {
    if (typeof value !== 'number') throw new TypeError(`expected rdp[${i}] to be a number, got ${typeof value}`);
    if (!(value >= 0)) throw new RangeError(`expected rdp[${i}] >= 0, got ${value}`);
  });
}

function epsilonAtOrder(order: number, rdp: number, delta: number, conversion: DpConversion): number {
  if (rdp === Infinity) return Infinity;
  if (conversion === 'classic') return rdp - Math.log(delta) / (order - 1);
  // RDP(α) ≥ KL for α > 1, and δ ≤ √(1 − e^−KL) (Pinsker-type bound) makes
  // the mechanism (0, δ)-DP outright when the divergence is that small.
  if (delta * delta + Math.expm1(-rdp) > 0) return 0;
  if (order <= IMPROVED_MIN_ORDER) return Infinity;
  return rdp + Math.log1p(-1 / order) - (Math.log(delta) + Math.log(order)) / (order - 1);
}

/** The smallest ε over the orders such that the RDP curve implies (ε, δ)-DP. */
export function rdpToEpsilon(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
  conversion: DpConversion = 'improved',
): EpsilonResult {
  assertCurve(orders, rdp);
  assertDelta(delta);
  assertConversion(conversion);
  let best = Infinity;
  let bestOrder = orders[0] as number;
  orders.forEach((order, k) => {
    const epsilon = epsilonAtOrder(order, rdp[k] as number, delta, conversion);
    if (epsilon < best) {
      best = epsilon;
      bestOrder = order;
    }
  });
  // The improved formula can dip below 0 for tiny RDP; ε ≥ 0 always holds.
  return { epsilon: Math.max(0, best), order: bestOrder };
}

function logDeltaAtOrder(order: number, rdp: number, epsilon: number, conversion: DpConversion): number {
  if (rdp === Infinity) return 0;
  if (conversion === 'classic') return (order - 1) * (rdp - epsilon);
  // Same KL route as for ε: δ ≤ √(1 − e^−RDP) whatever ε is.
  const viaKl = rdp === 0 ? -Infinity : 0.5 * Math.log(-Math.expm1(-rdp));
  if (order <= IMPROVED_MIN_ORDER) return viaKl;
  return Math.min(viaKl, (order - 1) * (rdp - epsilon + Math.log1p(-1 / order)) - Math.log(order));
}

/** The smallest δ over the orders such that the RDP curve implies (ε, δ)-DP (the inverse of `rdpToEpsilon`). */
export function rdpToDelta(
  orders: readonly number[],
  rdp: readonly number[],
  epsilon: number,
  conversion: DpConversion = 'improved',
): DeltaResult {
  assertCurve(orders, rdp);
  assertEpsilon(epsilon);
  assertConversion(conversion);
  let best = Infinity;
  let bestOrder = orders[0] as number;
  orders.forEach((order, k) => {
    // Log space: (α − 1)·RDP overflows for large orders.
    const logDelta = logDeltaAtOrder(order, rdp[k] as number, epsilon, conversion);
    if (logDelta < best) {
      best = logDelta;
      bestOrder = order;
    }
  });
  return { delta: Math.min(1, Math.exp(best)), order: bestOrder };
}
