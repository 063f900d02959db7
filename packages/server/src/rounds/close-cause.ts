/** Why a round closed (or never opened), as reported in `roundClosed`. */
export type CloseCause =
  /** `targetUpdates` were accepted. */
  | 'target'
  /** Every cohort member has submitted or left. */
  | 'cohort-done'
  /** `timeoutMs` passed. */
  | 'deadline'
  /** The server is closing. */
  | 'shutdown'
  /** The sampled cohort was smaller than `minUpdates`: nobody was invited. */
  | 'cohort-too-small'
  /** The secure round's accounted noise would take ε over the target: nobody was invited, and no round opens again. */
  | 'budget-exhausted'
  /** The secure aggregation finished (with the survivors' sum) or aborted (too few survivors). */
  | 'secure-aggregation'
  /** The aggregate, or the model after the step, was not finite: nothing was applied, the model is unchanged. */
  | 'non-finite'
  /** Cluster: the coordinator that opened the round lost its lease (killed, cut off, or Redis restarted): its successor abandons the round. */
  | 'coordinator-lost';
