/**
 * Why a secure-aggregation step failed. The set is closed and each value is
 * stable: callers (the client and server wiring, their logs and counters)
 * switch on it, so codes are only ever added, never renamed.
 */
export type SecAggErrorCode =
  /** A Shamir share's x-coordinate is not an integer in [1, 2^32). */
  | 'INVALID_SHARE_X'
  /** Two shares (or two holders) have the same x-coordinate. */
  | 'DUPLICATE_SHARE_X'
  /** Fewer shares than the threshold: the secret cannot be recovered. */
  | 'TOO_FEW_SHARES'
  /** A share's bytes have the wrong length or hold a non-canonical field element. */
  | 'MALFORMED_SHARE'
  /** More than `threshold` shares were given and they do not lie on one polynomial. */
  | 'INCONSISTENT_SHARES'
  /** A sealed box is too short to hold a nonce and a tag. */
  | 'MALFORMED_CIPHERTEXT'
  /** A sealed box failed authentication: wrong key, wrong associated data, or tampered bytes. */
  | 'DECRYPTION_FAILED'
  /** An X25519 public key has the wrong length or is of low order. */
  | 'BAD_PUBLIC_KEY'
  /** n clients with per-coordinate bound B could wrap around the modulus (n·B ≥ modulus/2). */
  | 'WRAP_AROUND'
  /** A value is outside the bound the wrap-around check was made for. */
  | 'OUT_OF_RANGE'
  /** Fewer than `threshold` clients (or share holders) are left: the round is aborted. */
  | 'TOO_FEW_SURVIVORS'
  /** A protocol step was called in the wrong stage (or after the round ended). */
  | 'OUT_OF_ORDER'
  /** The peer sent something the protocol forbids (wrong round, unknown neighbour, bad shape). */
  | 'PROTOCOL_VIOLATION'
  /** The server asked for the self-mask share of a client whose mask-key share was already revealed, or vice versa. */
  | 'CONFLICTING_UNMASK_REQUEST'
  /** Reconstructed secrets do not match what the client committed to (e.g. a mask key for another public key). */
  | 'RECONSTRUCTION_FAILED';

/**
 * A secure-aggregation failure with a stable `code`. Messages name counts and
 * indices only: shares, keys and masked inputs are secrets or come from
 * untrusted peers, so their bytes are never put into errors (or logs).
 */
export class SecAggError extends Error {
  override readonly name = 'SecAggError';

  constructor(
    readonly code: SecAggErrorCode,
    message: string,
  ) {
    super(message);
  }
}
