import type { RejectReasonName } from '@fedrec/core/protocol';
import { REJECT_REASON_NAMES } from '@fedrec/core/protocol';
import { noDeclines } from '../rounds/decline-counts.js';

/** Counters and timings behind `GET /status`. Everything here is aggregate: no client ids. */
export class ServerStats {
  readonly startedAt = Date.now();
  updatesAccepted = 0;
  readonly rejected: Record<RejectReasonName, number> = Object.fromEntries(REJECT_REASON_NAMES.map((name) => [name, 0])) as Record<
    RejectReasonName,
    number
  >;
  roundsApplied = 0;
  roundsAbandoned = 0;
  /** Cohort members that declined a round, by the reason they gave, over all rounds. */
  readonly declined = noDeclines();
  lastRoundMs: number | null = null;
  private roundMsTotal = 0;
  private roundsTimed = 0;
  lastAggregationMs: number | null = null;
  lastCheckpointMs: number | null = null;
  lastCheckpointFile: string | null = null;
  lastCheckpointError: string | null = null;
  /** ISO 8601 time releases halted on a failed checkpoint; null while releasing. */
  releasesHaltedSince: string | null = null;
  /** Requests and connections refused at the HTTP edge, by limit (see `http` in the config). */
  readonly throttled = { enrol: 0, enrolKeyLockedOut: 0, handshake: 0, connectionCap: 0 };

  reject(reason: RejectReasonName): void {
    this.rejected[reason]++;
  }

  roundClosed(applied: boolean, durationMs: number): void {
    if (applied) this.roundsApplied++;
    else this.roundsAbandoned++;
    this.lastRoundMs = durationMs;
    this.roundMsTotal += durationMs;
    this.roundsTimed++;
  }

  get meanRoundMs(): number | null {
    return this.roundsTimed === 0 ? null : this.roundMsTotal / this.roundsTimed;
  }

  get rejectedTotal(): number {
    let total = 0;
    for (const name of REJECT_REASON_NAMES) total += this.rejected[name];
    return total;
  }
}
