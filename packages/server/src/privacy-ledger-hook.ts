import type { AppliedRound } from './rounds/round-coordinator.js';

/**
 * How the privacy ledger (kept outside this package) rides along with the
 * server's checkpoints. The server treats its state as opaque JSON: it stores
 * whatever `snapshot` returns in the same atomic checkpoint as the model it
 * accounts for, and hands it back through `restore` when resuming, so the
 * ledger and the model can never disagree after a crash.
 */
export interface PrivacyLedgerHook {
  /** Called once per applied round, just before its checkpoint is written. Must return plain JSON. */
  snapshot(round: AppliedRound): unknown;
  /** Called once on start with the state stored with the checkpoint being resumed (null if it had none). */
  restore?(state: unknown): void;
}
