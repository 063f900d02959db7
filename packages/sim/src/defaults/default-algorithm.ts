import type { Algorithm } from './simulate-defaults.js';
import { SIMULATE_DEFAULTS } from './simulate-defaults.js';

/**
 * The algorithm a run gets when none is chosen: with the shop's catalogue
 * given, the hybrid model (it is built from that catalogue); without one,
 * `SIMULATE_DEFAULTS.algorithm`, as before catalogues existed. The CLI checks
 * its flags against it and `planSimulation` applies it, so the two agree.
 *
 * @example
 * defaultAlgorithm({ catalogue: true }); // 'hybrid'
 * defaultAlgorithm({}); // 'federated'
 */
export function defaultAlgorithm(choices: { readonly catalogue?: boolean }): Algorithm {
  return choices.catalogue === true ? 'hybrid' : SIMULATE_DEFAULTS.algorithm;
}
