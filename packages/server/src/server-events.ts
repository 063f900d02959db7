import type { PrivacySpend, RejectReasonName } from '@fedrec/core/protocol';
import type { CoordinatorRoundCost } from './cluster/coordinator-round-cost.js';
import type { RoundClosedInfo, SecureAggregationInfo } from './rounds/round-coordinator.js';

export interface RoundOpenedEvent {
  readonly roundId: number;
  readonly modelVersion: number;
  /** Client ids invited (server-side only: never sent to clients). */
  readonly cohort: readonly string[];
}

export interface RejectionEvent {
  /** Null when the connection was refused before the client was identified. */
  readonly clientId: string | null;
  /** The round the refused message named, if it named one. */
  readonly roundId: number | null;
  readonly reason: RejectReasonName;
  /**
   * `connection`: refused in the handshake; `message`: a refused message on a
   * connected socket; `delivery`: dropped for not reading what it is sent (SLOW_CONSUMER).
   */
  readonly stage: 'connection' | 'message' | 'delivery';
}

/**
 * What a FedRecServer reports as it runs. Listen with `server.events.on(…)`;
 * tests wait on these instead of sleeping.
 */
export interface FedRecServerEvents {
  roundOpened: [RoundOpenedEvent];
  roundClosed: [RoundClosedInfo];
  updateAccepted: [{ readonly clientId: string; readonly roundId: number }];
  rejected: [RejectionEvent];
  clientConnected: [{ readonly clientId: string }];
  clientDisconnected: [{ readonly clientId: string; readonly reason: string }];
  checkpointWritten: [{ readonly file: string; readonly modelVersion: number; readonly roundId: number | null }];
  /** The next round would exceed the privacy budget: no more rounds open, the model is frozen. Emitted once (also when resuming an exhausted ledger). */
  budgetExhausted: [PrivacySpend];
  /**
   * Releases halted (`halted: true`, with the checkpoint error): an applied
   * round's checkpoint, and so its privacy-ledger entry, could not be made
   * durable, so its model is not published and no round opens while the
   * write is retried. `halted: false` when a retry succeeds.
   */
  releases: [{ readonly halted: boolean; readonly error: string | null }];
  /** A securely aggregated round's SecAgg+ finished (with the survivors' integer sum) or aborted. */
  secureAggregation: [SecureAggregationInfo];
  /** Cluster: this node took the coordinator lease (`held: true`, after resuming from the newest checkpoint) or lost it. */
  coordinator: [{ readonly held: boolean; readonly token: number; readonly modelVersion: number }];
  /** Cluster: this node closed its part of a round and posted its partial sum (server-side only). */
  partialPosted: [{ readonly roundId: number; readonly count: number; readonly cohortSize: number }];
  /** Cluster coordinator: the partial sums a round combined, per node (server-side only: group sums, never an update). */
  partialSums: [{ readonly roundId: number; readonly parts: readonly { readonly nodeId: string; readonly count: number; readonly sum: Float64Array }[] }];
  /** Cluster coordinator: the serial cost of one applied round. */
  coordinatorRoundCost: [CoordinatorRoundCost];
}
