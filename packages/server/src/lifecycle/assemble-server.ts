import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { issueToken } from '../auth/token.js';
import { loadOrCreateTokenSecret } from '../auth/token-secret.js';
import { ClusterNode, type ClusterNodeDeps } from '../cluster/cluster-node.js';
import { checkpointCommitter } from '../checkpoint/commit-checkpoint.js';
import { CheckpointStore } from '../checkpoint/checkpoint-store.js';
import type { ResolvedServerConfig } from '../config/server-config.js';
import { httpServerOptions, limitConnections } from '../http/connection-limits.js';
import { EnrolLimits } from '../http/enrol-limits.js';
import { createRequestHandler } from '../http/http-routes.js';
import type { ModelState } from '../model/model-state.js';
import type { PrivacyLedgerHook } from '../privacy-ledger-hook.js';
import { privacyNoticeFor } from '../privacy/privacy-notice.js';
import type { ServerPrivacy } from '../privacy/server-privacy.js';
import type { AppliedRound } from '../rounds/round-coordinator.js';
import { RoundCoordinator } from '../rounds/round-coordinator.js';
import type { FedRecServerEvents } from '../server-events.js';
import type { ServerStats } from '../status/server-stats.js';
import type { PublicStatus, ServerStatus } from '../status/server-status.js';
import type { StatusReport } from '../status/status-report.js';
import { handshakeLimit } from '../transport/handshake-limit.js';
import { SocketGateway } from '../transport/socket-gateway.js';
import { StrikeBook } from '../transport/strike-book.js';
import { loadCatalogueFile, serveCatalogue } from './load-catalogue-file.js';
import { resumeFromCheckpoint } from './resume-from-checkpoint.js';
import { roundHooks } from './round-hooks.js';

export interface AssembleDeps {
  readonly config: ResolvedServerConfig;
  readonly logger: Logger;
  readonly events: EventEmitter<FedRecServerEvents>;
  readonly privacy: ServerPrivacy | null;
  readonly privacyLedger?: PrivacyLedgerHook | undefined;
  readonly stats: ServerStats;
  readonly report: StatusReport;
  /** What `GET /status` serves (the lifecycle's state included). */
  readonly status: () => ServerStatus;
  readonly publicStatus: () => PublicStatus;
}

/** Everything a listening server runs on. */
export interface RunningServer {
  readonly model: ModelState;
  readonly coordinator: RoundCoordinator;
  readonly gateway: SocketGateway;
  readonly httpServer: HttpServer;
  readonly tokenSecret: string;
  readonly strikes: StrikeBook;
  /** The model is new: it must be checkpointed before the server listens. */
  readonly fresh: boolean;
  /** This node's link to the rest of its cluster; null for a single server. */
  readonly cluster: ClusterNode | null;
  /** Writes a checkpoint (`null`: the fresh model, before any round). */
  readonly commit: (applied: AppliedRound | null) => Promise<void>;
}

/**
 * Builds a server that is ready to listen: resumes (or creates) the model,
 * then wires the HTTP routes, the round coordinator and the socket gateway
 * to one another. Nothing listens and no round opens yet.
 */
export async function assembleServer(deps: AssembleDeps): Promise<RunningServer> {
  const { config, logger, events, privacy, privacyLedger, stats, report } = deps;
  const store = config.modelDir === undefined ? null : new CheckpointStore(config.modelDir, config.checkpoints.keep);
  // In a cluster, another node may be writing the temp file a start-up sweep would delete.
  await store?.init({ clearTemps: config.cluster === undefined });
  // Read first: the catalogue decides the model's rows (a longer one than the checkpoint's grows the model).
  const parsedCatalogue = config.catalogueFile === undefined ? null : await loadCatalogueFile(config.catalogueFile);
  const { model, optimiser, nextRoundId, fresh, externalLedger } = await resumeFromCheckpoint(store, { config, logger, privacy, privacyLedger, catalogue: parsedCatalogue });
  const tokenSecret = config.auth.tokenSecret ?? (await loadOrCreateTokenSecret(config.modelDir));
  const { maxStrikes, strikeBanMs, strikeWindowMs } = config.limits;
  // A cluster's nodes share the model directory: each keeps its own bans in memory rather than overwrite one file.
  const strikes = new StrikeBook({ maxStrikes, banMs: strikeBanMs, windowMs: strikeWindowMs, dir: config.cluster === undefined ? config.modelDir : undefined, logger });
  await strikes.load();
  report.privacyRestored();
  const catalogue = config.catalogueFile === undefined || parsedCatalogue === null ? undefined : serveCatalogue(config.catalogueFile, parsedCatalogue, model.shape.numItems);
  // Kept in memory only: an adversary who can predict the cohort loses privacy amplification.
  const seed = config.rounds.samplingSeed ?? randomBytes(16).toString('hex');
  const cluster = clusterNodeFor(config, { logger, events, store, model, optimiser, privacy, stats, coordinator: () => coordinator });
  // Each node samples its own shoppers: with its own stream, so that nodes sharing a configured seed do not draw alike.
  const samplingSeed = cluster === null ? seed : `${seed}/${cluster.nodeId}`;
  const httpServer = createHttpServer(
    httpServerOptions(config.http),
    createRequestHandler({
      status: deps.status,
      publicStatus: deps.publicStatus,
      operatorKey: config.auth.operatorKey,
      model: () => ({ bytes: model.bytes(), version: model.version, catalogueVersion: catalogue?.version ?? null }),
      catalogue,
      privacyNotice: privacyNoticeFor(config),
      enrol: () => issueToken({ secret: tokenSecret, ttlSeconds: config.auth.tokenTtlSeconds }),
      enrolment: config.auth.enrolment,
      enrolmentKey: config.auth.enrolmentKey,
      logger,
      enrolLimits: new EnrolLimits(config.http, logger, stats),
      corsOrigins: config.corsOrigins,
    }),
  );
  limitConnections(httpServer, config.http, logger, stats);
  let gateway: SocketGateway | null = null;
  const commit = checkpointCommitter({ store, model, optimiser, nextRoundId: () => coordinator.nextRoundId, privacy, privacyLedger, resumedExternalLedger: externalLedger, stats, events });
  const coordinator: RoundCoordinator = new RoundCoordinator({
    rounds: config.rounds,
    samplingSeed,
    nextRoundId,
    model,
    optimiser,
    stats,
    logger,
    privacy,
    secureAggregation: config.secureAggregation,
    maxUpdateNormWithoutPrivacy: config.limits.maxUpdateNorm,
    commitRetryMs: config.checkpoints.retryMs,
    hooks: roundHooks({ gateway: () => gateway, events, stats, report, commit }),
    ...(cluster !== null ? { cluster } : {}),
  });
  gateway = new SocketGateway({
    httpServer,
    config,
    coordinator,
    model,
    tokenSecret,
    stats,
    logger,
    events,
    strikes,
    privacySpend: () => privacy?.spend() ?? null,
    allowRequest: handshakeLimit(config.http, logger, stats),
  });
  return { model, coordinator, gateway, httpServer, tokenSecret, strikes, fresh, commit, cluster };
}

/** The cluster side of a node, when `cluster` is configured (the schema has made sure of a model directory). */
function clusterNodeFor(config: ResolvedServerConfig, deps: Omit<ClusterNodeDeps, 'config' | 'store' | 'resumedFrom'> & { readonly store: CheckpointStore | null }): ClusterNode | null {
  if (config.cluster === undefined || deps.store === null) return null;
  // The checkpoint's token is unknown here: the first announcement names the published one, and the node re-reads it.
  return new ClusterNode({ ...deps, config: { ...config, cluster: config.cluster }, store: deps.store, resumedFrom: { version: deps.model.version, token: -1 } });
}
