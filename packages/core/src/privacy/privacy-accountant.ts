/**
 * The choice of accountant for a sequence of Poisson-subsampled Gaussian
 * mechanisms: Rényi DP (`rdp`, Mironov 2017 with the improved conversion) or
 * privacy loss distributions (`pld`, Koskela et al. 2020, see
 * pld-accountant.ts), behind one interface so the round policy, the ledger
 * and the noise calibration can use either.
 *
 * Both give upper bounds on the true ε; `pld` reports min(ε_PLD, ε_RDP),
 * which is therefore also an upper bound and never above what `rdp` reports
 * (the property tests check that ε_PLD alone is already ≤ ε_RDP). A budget
 * check that RDP already passes needs no PLD composition.
 */
import { pldDelta, pldEpsilon, type PldAccountingOptions } from './pld-accountant.js';
import type { SubsampledGaussianMechanism } from './privacy-params.js';
import { resolveRdpOrders, type RdpOrdersInput } from './rdp-orders.js';
import { composeRdp } from './rdp-subsampled-gaussian.js';
import { rdpToDelta, rdpToEpsilon } from './rdp-to-dp.js';

export type AccountantName = 'rdp' | 'pld';

export const ACCOUNTANT_NAMES: readonly AccountantName[] = Object.freeze(['rdp', 'pld']);

/** What a ledger or checkpoint without an `accountant` field was accounted with. */
export const DEFAULT_ACCOUNTANT: AccountantName = 'rdp';

export function isAccountantName(name: unknown): name is AccountantName {
  return name === 'rdp' || name === 'pld';
}

export interface PrivacyAccountant {
  readonly name: AccountantName;
  /** ε at `delta` of all `mechanisms` composed (Infinity when no finite ε holds). */
  epsilon(mechanisms: readonly SubsampledGaussianMechanism[], delta: number): number;
  /** δ at `epsilon` of all `mechanisms` composed. */
  delta(mechanisms: readonly SubsampledGaussianMechanism[], epsilon: number): number;
}

export interface AccountantOptions {
  /** RDP orders (both accountants use them: `pld` takes the minimum with RDP). Default: the dp-accounting preset. */
  readonly orders?: RdpOrdersInput;
  /** PLD grid and tail truncation. Default: Δ = 1e-3, tail 1e-15. */
  readonly pld?: PldAccountingOptions;
}

/**
 * The accountant called `name`.
 *
 * @example
 * createAccountant('pld').epsilon([{ samplingRate: 0.01, noiseMultiplier: 1.1, steps: 1000 }], 1e-5);
 */
export function createAccountant(name: AccountantName, options: AccountantOptions = {}): PrivacyAccountant {
  if (!isAccountantName(name)) throw new RangeError(`expected accountant 'rdp' or 'pld', got ${String(name)}`);
  const orders = resolveRdpOrders(options.orders);
  const rdpEpsilon = (mechanisms: readonly SubsampledGaussianMechanism[], delta: number): number =>
    rdpToEpsilon(orders, composeRdp(mechanisms, orders), delta, 'improved').epsilon;
  const rdpDelta = (mechanisms: readonly SubsampledGaussianMechanism[], epsilon: number): number =>
    rdpToDelta(orders, composeRdp(mechanisms, orders), epsilon, 'improved').delta;
  if (name === 'rdp') return { name, epsilon: rdpEpsilon, delta: rdpDelta };
  const pldOptions = options.pld ?? {};
  return {
    name,
    epsilon: (mechanisms, delta) => Math.min(rdpEpsilon(mechanisms, delta), pldEpsilon(mechanisms, delta, pldOptions)),
    delta: (mechanisms, epsilon) => Math.min(rdpDelta(mechanisms, epsilon), pldDelta(mechanisms, epsilon, pldOptions)),
  };
}
