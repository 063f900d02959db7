/**
 * The Rényi orders α at which the accountant tracks privacy loss.
 *
 * ε comes out as a minimum over these orders, so the set decides how tight
 * the bound is: small fractional orders matter for large ε, large orders for
 * small ε. The presets reproduce the lists of three reference accountants so
 * that figures can be compared with theirs digit for digit.
 */

export type RdpOrderPresetName = 'opacus' | 'tf' | 'dp-accounting' | 'integer';

/** Either a preset name or an explicit list of orders. */
export type RdpOrdersInput = RdpOrderPresetName | readonly number[];

function range(from: number, toInclusive: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= toInclusive; i++) out.push(i);
  return out;
}

// 1 + x/10 rather than accumulating 0.1 steps, so each order is the same
// double the Python accountants use (1.1, 1.2, …, 10.9).
const TENTHS = range(1, 99).map((x) => 1 + x / 10);

export const RDP_ORDER_PRESETS: Readonly<Record<RdpOrderPresetName, readonly number[]>> = Object.freeze({
  // Opacus DEFAULT_ALPHAS.
  opacus: Object.freeze([...TENTHS, ...range(12, 63)]),
  // TensorFlow Privacy's compute_dp_sgd_privacy orders.
  tf: Object.freeze([1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, ...range(5, 63), 128, 256, 512]),
  // Google dp-accounting RdpAccountant default orders.
  'dp-accounting': Object.freeze([...TENTHS, ...range(11, 63), 128, 256, 512, 1024]),
  // Integer orders only: what a ledger recording distributed discrete Gaussian
  // rounds should use, since the generic amplification bound those rounds are
  // converted through is loose at orders in (1, 2) (see effectiveNoiseMultiplier).
  integer: Object.freeze([...range(2, 64), 128, 256, 512, 1024]),
});

export const DEFAULT_RDP_ORDER_PRESET: RdpOrderPresetName = 'dp-accounting';

export function isRdpOrderPresetName(name: string): name is RdpOrderPresetName {
  return Object.prototype.hasOwnProperty.call(RDP_ORDER_PRESETS, name);
}

/** Checks a custom list: non-empty, every order a finite number > 1. Returns a frozen copy. */
export function validateRdpOrders(orders: readonly unknown[]): readonly number[] {
  if (!Array.isArray(orders)) throw new TypeError(`expected orders to be an array, got ${typeof orders}`);
  if (orders.length === 0) throw new RangeError('expected at least one order, got an empty list');
  return Object.freeze(
    orders.map((order, i) => {
      if (typeof order !== 'number') throw new TypeError(`expected orders[${i}] to be a number, got ${typeof order}`);
      // Order 1 is the KL divergence, a limit the formulas here cannot evaluate.
      if (!(order > 1 && Number.isFinite(order))) {
        throw new RangeError(`expected orders[${i}] to be finite and > 1, got ${order}`);
      }
      return order;
    }),
  );
}

/** A preset's list, a validated custom list, or the default preset when omitted. */
export function resolveRdpOrders(orders: RdpOrdersInput = DEFAULT_RDP_ORDER_PRESET): readonly number[] {
  if (typeof orders === 'string') {
    if (!isRdpOrderPresetName(orders)) {
      const known = Object.keys(RDP_ORDER_PRESETS).join(', ');
      throw new RangeError(`expected an order preset (${known}), got "${orders}"`);
    }
    return RDP_ORDER_PRESETS[orders];
  }
  return validateRdpOrders(orders);
}
