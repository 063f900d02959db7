/**
 * The limits of a securely aggregated round that the invitation's schema
 * (`roundSecureAggregationSchema`) enforces. They live here, in the protocol,
 * because the wire format is defined once in core; @fedrec/secagg imports
 * them for its own checks and re-exports them under the same names, so the
 * protocol never depends on the SecAgg implementation (core ← secagg).
 */

/** Bytes of the public neighbour-graph seed the server draws per round. */
export const GRAPH_SEED_BYTES = 32;

/** Upper limits that keep every count a small integer and every index a uint32. */
export const SECAGG_MAX_CLIENTS = 1_000_000;
export const SECAGG_MAX_VECTOR_LENGTH = 2 ** 28;
