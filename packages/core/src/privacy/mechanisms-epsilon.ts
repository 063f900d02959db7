/**
 * The one-call question "what (ε, δ) do these mechanisms cost together?":
 * compose their RDP and convert, with the accountant's defaults.
 */
import { pldEpsilon } from './pld-accountant.js';
import type { AccountantName } from './privacy-accountant.js';
import { resolveRdpOrders, type RdpOrdersInput } from './rdp-orders.js';
import { composeRdp } from './rdp-subsampled-gaussian.js';
import { rdpToEpsilon, type DpConversion, type EpsilonResult } from './rdp-to-dp.js';
import type { SubsampledGaussianMechanism } from './privacy-params.js';

export interface MechanismsEpsilonOptions {
  readonly mechanisms: readonly SubsampledGaussianMechanism[];
  readonly delta: number;
  /** Default: the dp-accounting preset. */
  readonly orders?: RdpOrdersInput;
  /** Default: improved. */
  readonly conversion?: DpConversion;
  /** Default: rdp. pld: min(ε_PLD, ε_RDP), with `order` NaN when the PLD bound is the smaller. */
  readonly accountant?: AccountantName;
}

export function epsilonForMechanisms(options: MechanismsEpsilonOptions): EpsilonResult {
  const orders = resolveRdpOrders(options.orders);
  const rdp = composeRdp(options.mechanisms, orders);
  const result = rdpToEpsilon(orders, rdp, options.delta, options.conversion ?? 'improved');
  if (options.accountant !== 'pld') return result;
  const pld = pldEpsilon(options.mechanisms, options.delta);
  return pld < result.epsilon ? { epsilon: pld, order: NaN } : result;
}
