import type { RejectReasonName } from '@fedrec/core';
import type { PrivacyStatus } from '../privacy/server-privacy.js';

/** The body of `GET /status`. Aggregates only: no client ids, no update contents. */
export interface ServerStatus {
  readonly protocolVersion: number;
  readonly state: 'new' | 'starting' | 'running' | 'closing' | 'closed';
  readonly round: {
    /** The open round's id, or null between rounds. */
    readonly current: number | null;
    /** The id the next round will get. */
    readonly next: number;
    readonly phase: 'idle' | 'open' | 'committing' | 'stopped';
  };
  readonly model: { readonly version: number; readonly numItems: number; readonly dim: number; readonly floats: number };
  readonly clients: { readonly connected: number; readonly eligible: number };
  readonly updates: {
    readonly accepted: number;
    readonly rejectedTotal: number;
    /** Refused messages and connections, by reason. */
    readonly rejected: Readonly<Record<RejectReasonName, number>>;
  };
  readonly rounds: { readonly applied: number; readonly abandoned: number };
  readonly timings: {
    /** ISO 8601. */
    readonly startedAt: string;
    readonly uptimeMs: number;
    readonly lastRoundMs: number | null;
    readonly meanRoundMs: number | null;
    /** Mean + optimiser step of the last applied round. */
    readonly lastAggregationMs: number | null;
    readonly lastCheckpointMs: number | null;
  };
  readonly checkpoint: { readonly lastFile: string | null; readonly lastError: string | null };
  /** Differential privacy: budget, spend and the current round parameters; null when the server runs without DP. */
  readonly privacy: PrivacyStatus | null;
  /**
   * Refused at the HTTP edge: enrolments over the per-source rate, enrolments
   * from a source locked out after wrong keys, socket.io handshakes over the
   * per-source rate, connections over `http.maxConnections`.
   */
  readonly throttled: { readonly enrol: number; readonly enrolKeyLockedOut: number; readonly handshake: number; readonly connectionCap: number };
}
