import type { PrivacySpend, RejectReasonName } from '@fedrec/core/protocol';
import type { PrivacyStatus } from '../privacy/server-privacy.js';
import type { DeclineCounts } from '../rounds/decline-counts.js';

/**
 * The operator's view (`server.status()`, or `GET /status` with the operator
 * key): live counters, clients and timings. Aggregates only: no client ids,
 * no update contents; still, live counts reveal when each update arrives, so
 * the world gets `PublicStatus` instead.
 */
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
  /**
   * Cluster mode only: this node's id, and the fencing token of the
   * coordinator lease while this node holds it (null otherwise). `clients`
   * and `updates` are this node's own.
   */
  readonly cluster?: { readonly nodeId: string; readonly coordinatorToken: number | null };
  readonly updates: {
    readonly accepted: number;
    readonly rejectedTotal: number;
    /** Refused messages and connections, by reason. */
    readonly rejected: Readonly<Record<RejectReasonName, number>>;
  };
  readonly rounds: {
    readonly applied: number;
    readonly abandoned: number;
    /**
     * Cohort members that declined a round, over all rounds, by the reason
     * their device gave (`no-privacy`: the rounds announce no DP parameters;
     * `budget`: their personal ε budget is spent; `consent`; `other`).
     */
    readonly declined: DeclineCounts;
  };
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
  readonly checkpoint: {
    readonly lastFile: string | null;
    readonly lastError: string | null;
    /** Set while releases are halted: the applied round awaiting a durable checkpoint is not published and no round opens. */
    readonly releasesHaltedSince: string | null;
  };
  /** Differential privacy: budget, spend and the current round parameters; null when the server runs without DP. */
  readonly privacy: PrivacyStatus | null;
  /**
   * Refused at the HTTP edge: enrolments over the per-source rate, enrolments
   * from a source locked out after wrong keys, socket.io handshakes over the
   * per-source rate, connections over `http.maxConnections`.
   */
  readonly throttled: { readonly enrol: number; readonly enrolKeyLockedOut: number; readonly handshake: number; readonly connectionCap: number };
}

/**
 * The body of `GET /status` without the operator key: only what the threat
 * model lets the world see. Every figure changes only when a round closes
 * (or the server's state changes), never while one is open, so polling it
 * cannot time individual updates' arrival. The same figures reach every
 * connected client in each round's `roundClosed` message anyway.
 */
export interface PublicStatus {
  readonly protocolVersion: number;
  readonly state: ServerStatus['state'];
  readonly model: { readonly version: number; readonly numItems: number; readonly dim: number };
  readonly rounds: {
    readonly applied: number;
    readonly abandoned: number;
    /** The last round to close: its id, outcome and how many updates it aggregated. */
    readonly lastClosed: {
      readonly roundId: number;
      readonly outcome: 'applied' | 'abandoned';
      readonly accepted: number;
      /** Cohort members that declined it, by reason: why a round went without updates. */
      readonly declined: DeclineCounts;
      /** ISO 8601. */
      readonly closedAt: string;
    } | null;
  };
  /** False while releases are halted (a checkpoint, and so a privacy-ledger entry, could not be made durable). */
  readonly releasing: boolean;
  /** The ε spent and the budget, as every client is told; null without DP. */
  readonly privacy: PrivacySpend | null;
}
