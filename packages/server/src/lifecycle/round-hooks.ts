import type { EventEmitter } from 'node:events';
import type { AppliedRound, CoordinatorHooks } from '../rounds/round-coordinator.js';
import type { FedRecServerEvents } from '../server-events.js';
import type { ServerStats } from '../status/server-stats.js';
import type { StatusReport } from '../status/status-report.js';
import type { SocketGateway } from '../transport/socket-gateway.js';

export interface RoundHooksDeps {
  /** Null while the gateway is being built (it needs the coordinator first). */
  readonly gateway: () => SocketGateway | null;
  readonly events: EventEmitter<FedRecServerEvents>;
  readonly stats: ServerStats;
  readonly report: StatusReport;
  readonly commit: (applied: AppliedRound) => Promise<void>;
}

/** Connects what the round coordinator reports to the clients (through the gateway), the server's events and its status. */
export function roundHooks({ gateway, events, stats, report, commit }: RoundHooksDeps): CoordinatorHooks {
  return {
    roundOpened: (info, bytes) => {
      gateway()?.broadcastRoundStart(info, bytes);
      events.emit('roundOpened', { roundId: info.roundId, modelVersion: info.modelVersion, cohort: info.cohort });
    },
    roundClosed: (info) => {
      report.roundClosed(info);
      // Nobody was invited to a round that never opened (cohort too small, budget): no need to tell anyone.
      if (info.cause !== 'cohort-too-small' && info.cause !== 'budget-exhausted') gateway()?.broadcastRoundClosed(info);
      events.emit('roundClosed', info);
    },
    commit,
    releasesHalted: (error) => {
      const wasHalted = stats.releasesHaltedSince !== null;
      stats.releasesHaltedSince = error === null ? null : (stats.releasesHaltedSince ?? new Date().toISOString());
      if (error !== null) stats.lastCheckpointError = error;
      if (wasHalted !== (error !== null)) events.emit('releases', { halted: error !== null, error });
    },
    sendSecAgg: (clientId, roundId, message) => gateway()?.sendSecAgg(clientId, roundId, message),
    secureAggregationEnded: (info) => events.emit('secureAggregation', info),
  };
}
