import type { RoundPrivacy } from '@fedrec/core';

/** One update this device handed to the transport: what the privacy dashboard lists. */
export interface UpdateLogEntry {
  readonly roundId: number;
  /** When the update left the training step, in milliseconds since the epoch. */
  readonly time: number;
  /** Size of the update file: header plus one float32 per shared parameter. */
  readonly bytes: number;
  /** L2 bound C the update was clipped to. */
  readonly clipNorm: number;
  /** z the device added itself: Gaussian noise of standard deviation z·C on every coordinate. */
  readonly clientNoiseMultiplier: number;
  /** z the device charged its own ledger with (the round's accounted noise multiplier). */
  readonly accountedNoiseMultiplier: number;
  readonly placement: RoundPrivacy['placement'];
  /**
   * How much this participation raised the device's cumulative ε (at
   * `delta`). Under RDP accounting ε does not add up exactly, so the entries
   * sum to at least the cumulative figure, never less.
   */
  readonly epsilon: number;
  readonly delta: number;
  /**
   * False when the transport did not send it after all (disconnected, round
   * closed). The ε stays charged: the device charges before the update leaves.
   */
  readonly sent: boolean;
}
