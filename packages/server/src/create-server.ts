import { EventEmitter } from 'node:events';
import type { SharedModel } from '@fedrec/core/model';
import type { RandomSource } from '@fedrec/core/random';
import type { Logger } from 'pino';
import { issueToken, type IssuedToken } from './auth/token.js';
import type { ResolvedServerConfig, ServerConfig } from './config/server-config.js';
import { resolveServerConfig } from './config/server-config.js';
import { assembleServer } from './lifecycle/assemble-server.js';
import { ServerLifecycle, type ServerAddress } from './lifecycle/server-lifecycle.js';
import { createLogger } from './logging/logger.js';
import type { PrivacyLedgerHook } from './privacy-ledger-hook.js';
import { createServerPrivacy } from './privacy/create-server-privacy.js';
import type { FedRecServerEvents } from './server-events.js';
import { ServerStats } from './status/server-stats.js';
import type { PublicStatus, ServerStatus } from './status/server-status.js';
import { StatusReport, type StatusSources } from './status/status-report.js';

export type { ServerAddress } from './lifecycle/server-lifecycle.js';

export interface FedRecServerOptions extends ServerConfig {
  /** Default: a pino logger at `logLevel` (silent under NODE_ENV=test). */
  readonly logger?: Logger;
  readonly privacyLedger?: PrivacyLedgerHook;
  /**
   * Noise for the server's own DP draws (the distributed placement's top-up,
   * the unclipped count under adaptive clipping). Default: the platform
   * CSPRNG. Seed it only in tests and simulations.
   */
  readonly privacyNoiseSource?: RandomSource;
}

export interface FedRecServer {
  /** Resumes from the newest valid checkpoint (or creates a fresh model), then listens. */
  listen(): Promise<ServerAddress>;
  /**
   * Finishes (or abandons) the open round, writes its checkpoint, disconnects
   * everyone, stops listening — within `shutdownTimeoutMs`, whatever clients
   * do: connections still open then are destroyed. Rejects (SHUTDOWN_TIMEOUT)
   * if even the checkpoint was not written by then.
   */
  close(): Promise<void>;
  /** Null until listening. */
  readonly address: ServerAddress | null;
  readonly config: ResolvedServerConfig;
  readonly events: EventEmitter<FedRecServerEvents>;
  /** The operator's view: live counters, clients, timings (`GET /status` with the operator key). */
  status(): ServerStatus;
  /** What anyone may see (`GET /status` without a key): round-level figures, updated only when a round closes. */
  publicStatus(): PublicStatus;
  /** A copy of the published model (the newest durable one). Throws before `listen()`. */
  model(): SharedModel;
  /** Issues a token signed with this server's secret (for an external enrolment service, or tests). Throws before `listen()`. */
  issueToken(options?: { readonly clientId?: string; readonly ttlSeconds?: number }): IssuedToken;
}

/**
 * A FedRec aggregation server: socket.io v4 on a Node HTTP server.
 *
 * @example
 * const server = createServer({ port: 8080, modelDir: './model', model: { numItems: 1682, dim: 32 } });
 * const { url } = await server.listen();
 * server.events.on('roundClosed', (round) => console.log(round.outcome, round.modelVersion));
 * process.once('SIGTERM', () => void server.close());
 */
export function createServer(options: FedRecServerOptions): FedRecServer {
  const { logger: givenLogger, privacyLedger, privacyNoiseSource, ...rawConfig } = options;
  const config = resolveServerConfig(rawConfig);
  const logger = givenLogger ?? createLogger(config.logLevel);
  const events = new EventEmitter<FedRecServerEvents>();
  const privacy = createServerPrivacy(config, logger, events, privacyNoiseSource);
  const stats = new ServerStats();
  const report = new StatusReport(stats, privacy);
  // The HTTP routes serve the status, which reads the lifecycle: hence closures, called only once the server runs.
  const lifecycle: ServerLifecycle = new ServerLifecycle(config, logger, () =>
    assembleServer({ config, logger, events, privacy, privacyLedger, stats, report, status, publicStatus }),
  );
  const sources = (): StatusSources => ({ state: lifecycle.state, model: lifecycle.running?.model, coordinator: lifecycle.running?.coordinator, cluster: lifecycle.running?.cluster });
  const status = (): ServerStatus => report.status(sources());
  const publicStatus = (): PublicStatus => report.publicStatus(sources());
  return {
    listen: () => lifecycle.listen(),
    close: () => lifecycle.close(),
    get address() {
      return lifecycle.address;
    },
    config,
    events,
    status,
    publicStatus,
    model() {
      return lifecycle.need().model.publishedModel();
    },
    issueToken(tokenOptions = {}) {
      return issueToken({ secret: lifecycle.need().tokenSecret, ttlSeconds: config.auth.tokenTtlSeconds, ...tokenOptions });
    },
  };
}
