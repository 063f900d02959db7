/**
 * The public parameters of one secure-aggregation round, known to the server
 * and every client of the cohort before the round starts (the transport sends
 * them with the round invitation). Clients are numbered 1…n: the index is both
 * the client's identity in messages and its Shamir x-coordinate.
 */
import { assertNeighbourCount, defaultNeighbourCount, defaultThreshold, GRAPH_SEED_BYTES } from './neighbour-graph.js';

import { SECAGG_MAX_CLIENTS, SECAGG_MAX_VECTOR_LENGTH } from '@fedrec/core/protocol';

// Upper limits that keep every count a small integer and every index a uint32;
// defined with the invitation's schema in core's protocol, which checks them on the wire.
export { SECAGG_MAX_CLIENTS, SECAGG_MAX_VECTOR_LENGTH };

export interface SecAggRoundConfig {
  /** Distinguishes rounds; bound into every derived key and ciphertext. */
  readonly roundId: number;
  /** n: cohort size; clients are 1…n. */
  readonly clientCount: number;
  /** m: words in each client's input vector. */
  readonly vectorLength: number;
  /** k: neighbours per client (n − 1: the original, complete-graph protocol). */
  readonly neighbourCount: number;
  /** t: shares needed to reconstruct a client's secrets; fewer survivors abort the round. */
  readonly threshold: number;
  /** Public seed of the neighbour graph (32 bytes; fresh per round, chosen by the server). */
  readonly graphSeed: Uint8Array;
}

export interface SecAggRoundConfigInput {
  readonly roundId: number;
  readonly clientCount: number;
  readonly vectorLength: number;
  readonly graphSeed: Uint8Array;
  /** Default: `defaultNeighbourCount(clientCount)`. */
  readonly neighbourCount?: number;
  /** Default: `defaultThreshold(neighbourCount)`. */
  readonly threshold?: number;
}

/**
 * Validates the parameters and fills in defaults. Throws RangeError naming the
 * first bad field.
 *
 * @example
 * const config = createRoundConfig({ roundId: 7, clientCount: 100, vectorLength: 4096, graphSeed });
 */
export function createRoundConfig(input: SecAggRoundConfigInput): SecAggRoundConfig {
  if (typeof input !== 'object' || input === null) throw new TypeError('expected a round config object');
  const { roundId, clientCount, vectorLength, graphSeed } = input;
  if (!Number.isSafeInteger(roundId) || roundId < 0) throw new RangeError(`expected roundId to be a non-negative safe integer, got ${roundId}`);
  if (!Number.isSafeInteger(clientCount) || clientCount < 2 || clientCount > SECAGG_MAX_CLIENTS) {
    throw new RangeError(`expected clientCount in [2, ${SECAGG_MAX_CLIENTS}], got ${clientCount}`);
  }
  if (!Number.isSafeInteger(vectorLength) || vectorLength < 1 || vectorLength > SECAGG_MAX_VECTOR_LENGTH) {
    throw new RangeError(`expected vectorLength in [1, 2^28], got ${vectorLength}`);
  }
  if (!(graphSeed instanceof Uint8Array) || graphSeed.length !== GRAPH_SEED_BYTES) throw new RangeError(`expected graphSeed to be ${GRAPH_SEED_BYTES} bytes`);
  const neighbourCount = input.neighbourCount ?? defaultNeighbourCount(clientCount);
  assertNeighbourCount(clientCount, neighbourCount);
  const threshold = input.threshold ?? defaultThreshold(neighbourCount);
  // The k neighbours and the owner itself hold shares: t above k + 1 could never be met.
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > neighbourCount + 1) {
    throw new RangeError(`expected threshold in [1, ${neighbourCount + 1}] (neighbourCount + 1), got ${threshold}`);
  }
  return Object.freeze({ roundId, clientCount, vectorLength, neighbourCount, threshold, graphSeed: Uint8Array.from(graphSeed) });
}
