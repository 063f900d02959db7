import { PROTOCOL_VERSION } from '@fedrec/core/protocol';
import type { ModelState } from '../model/model-state.js';
import type { ServerPrivacy } from '../privacy/server-privacy.js';
import type { RoundClosedInfo, RoundCoordinator } from '../rounds/round-coordinator.js';
import type { ServerStats } from './server-stats.js';
import type { PublicStatus, ServerStatus } from './server-status.js';

/** What the reports read of a running server; absent before `listen()` has assembled it. */
export interface StatusSources {
  readonly state: ServerStatus['state'];
  readonly model?: ModelState | undefined;
  readonly coordinator?: Pick<RoundCoordinator, 'currentRoundId' | 'nextRoundId' | 'phaseName' | 'connectedCount' | 'eligibleCount'> | undefined;
  /** A cluster node's link to the others; absent for a single server. */
  readonly cluster?: { readonly nodeId: string; readonly coordinatorToken: number | null } | null | undefined;
}

/**
 * Assembles the operator's status (live counters) and the public one. The
 * public status shows rounds and privacy only as they stood when the last
 * round closed, never while one is open: polling it must not reveal how a
 * round is going.
 */
export class StatusReport {
  #lastClosed: PublicStatus['rounds']['lastClosed'] = null;
  #publicPrivacy: PublicStatus['privacy'] = null;

  constructor(
    private readonly stats: ServerStats,
    private readonly privacy: ServerPrivacy | null,
  ) {}

  /** The privacy ledger has been restored (or started): the public figure starts from it. */
  privacyRestored(): void {
    this.#publicPrivacy = this.privacy?.spend() ?? null;
  }

  roundClosed(info: RoundClosedInfo): void {
    this.#lastClosed = { roundId: info.roundId, outcome: info.outcome, accepted: info.accepted, declined: { ...info.declined }, closedAt: new Date().toISOString() };
    if (info.privacy !== undefined) this.#publicPrivacy = info.privacy;
  }

  status({ state, model, coordinator, cluster }: StatusSources): ServerStatus {
    const { stats, privacy } = this;
    const now = Date.now();
    return {
      protocolVersion: PROTOCOL_VERSION,
      state,
      round: { current: coordinator?.currentRoundId ?? null, next: coordinator?.nextRoundId ?? 0, phase: coordinator?.phaseName ?? 'idle' },
      model: {
        version: model?.version ?? 0,
        numItems: model?.shape.numItems ?? 0,
        dim: model?.shape.dim ?? 0,
        floats: model?.floats ?? 0,
      },
      clients: { connected: coordinator?.connectedCount ?? 0, eligible: coordinator?.eligibleCount ?? 0 },
      ...(cluster != null ? { cluster: { nodeId: cluster.nodeId, coordinatorToken: cluster.coordinatorToken } } : {}),
      updates: { accepted: stats.updatesAccepted, rejectedTotal: stats.rejectedTotal, rejected: { ...stats.rejected } },
      rounds: { applied: stats.roundsApplied, abandoned: stats.roundsAbandoned, declined: { ...stats.declined } },
      timings: {
        startedAt: new Date(stats.startedAt).toISOString(),
        uptimeMs: now - stats.startedAt,
        lastRoundMs: stats.lastRoundMs,
        meanRoundMs: stats.meanRoundMs,
        lastAggregationMs: stats.lastAggregationMs,
        lastCheckpointMs: stats.lastCheckpointMs,
      },
      checkpoint: { lastFile: stats.lastCheckpointFile, lastError: stats.lastCheckpointError, releasesHaltedSince: stats.releasesHaltedSince },
      privacy: privacy?.status() ?? null,
      throttled: { ...stats.throttled },
    };
  }

  publicStatus({ state, model }: StatusSources): PublicStatus {
    const { stats } = this;
    return {
      protocolVersion: PROTOCOL_VERSION,
      state,
      model: { version: model?.version ?? 0, numItems: model?.shape.numItems ?? 0, dim: model?.shape.dim ?? 0 },
      rounds: { applied: stats.roundsApplied, abandoned: stats.roundsAbandoned, lastClosed: this.#lastClosed },
      releasing: stats.releasesHaltedSince === null,
      privacy: this.#publicPrivacy,
    };
  }
}
