/** What one combined round cost the coordinator (the serial part of a cluster round). */
export interface CoordinatorRoundCost {
  readonly roundId: number;
  readonly nodes: number;
  /** Partial sums received, and their bytes (what went through Redis to the coordinator). */
  readonly partials: number;
  readonly partialBytes: number;
  /** Decoding (and checking) the partial sums as they arrive. */
  readonly decodeMs: number;
  /** Summing them. */
  readonly combineMs: number;
  /** The privacy policy and the optimiser step. */
  readonly applyMs: number;
  /** Writing and syncing the checkpoint. */
  readonly commitMs: number;
  /** From the round's announcement to the last partial sum (the nodes' work, in parallel). */
  readonly waitMs: number;
  /** From the announcement to the published model. */
  readonly durationMs: number;
}
