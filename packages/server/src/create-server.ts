import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import type { SharedModel } from '@fedrec/core/model';
import { createSharedModel, sameShape } from '@fedrec/core/model';
import { PROTOCOL_VERSION } from '@fedrec/core/protocol';
import type { RandomSource } from '@fedrec/core/random';
import type { Logger } from 'pino';
import { issueToken, type IssuedToken } from './auth/token.js';
import { loadOrCreateTokenSecret } from './auth/token-secret.js';
import { CheckpointStore } from './checkpoint/checkpoint-store.js';
import type { ResolvedServerConfig, ServerConfig } from './config/server-config.js';
import { resolveServerConfig } from './config/server-config.js';
import { settlesWithin } from './deadline.js';
import { httpServerOptions, limitConnections } from './http/connection-limits.js';
import { EnrolLimits } from './http/enrol-limits.js';
import { createRequestHandler } from './http/http-routes.js';
import { createLogger } from './logging/logger.js';
import { ModelState } from './model/model-state.js';
import { createOptimiser } from './optimisers/create-optimiser.js';
import { DenoisedFedAvg } from './optimisers/denoised-fed-avg.js';
import type { ServerOptimiser } from './optimisers/server-optimiser.js';
import type { PrivacyLedgerHook } from './privacy-ledger-hook.js';
import { ServerPrivacy, isServerPrivacyState } from './privacy/server-privacy.js';
import type { AppliedRound } from './rounds/round-coordinator.js';
import { RoundCoordinator } from './rounds/round-coordinator.js';
import { ServerError } from './server-error.js';
import type { FedRecServerEvents } from './server-events.js';
import { ServerStats } from './status/server-stats.js';
import type { PublicStatus, ServerStatus } from './status/server-status.js';
import { handshakeLimit } from './transport/handshake-limit.js';
import { SocketGateway } from './transport/socket-gateway.js';
import { StrikeBook } from './transport/strike-book.js';
import { checkpointVersion } from './checkpoint/checkpoint-store.js';

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

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, for clients and HTTP requests. */
  readonly url: string;
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

interface Running {
  readonly model: ModelState;
  readonly optimiser: ServerOptimiser;
  readonly coordinator: RoundCoordinator;
  readonly gateway: SocketGateway;
  readonly httpServer: HttpServer;
  readonly tokenSecret: string;
  readonly store: CheckpointStore | null;
  readonly strikes: StrikeBook;
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
  let state: ServerStatus['state'] = 'new';
  let running: Running | null = null;
  let address: ServerAddress | null = null;
  let starting: Promise<unknown> = Promise.resolve();
  /** What `publicStatus()` shows of rounds and privacy: taken when a round closes, never while one is open. */
  let lastClosed: PublicStatus['rounds']['lastClosed'] = null;
  let publicPrivacy: PublicStatus['privacy'] = null;

  const need = (): Running => {
    if (running === null) throw new ServerError('BAD_LIFECYCLE', 'the server is not running: call listen() first');
    return running;
  };

  async function resume(store: CheckpointStore | null): Promise<{ model: ModelState; optimiser: ServerOptimiser; nextRoundId: number; fresh: boolean }> {
    const loaded = store === null ? null : await store.loadLatest();
    for (const { file, problem } of loaded?.skipped ?? []) logger.warn({ file, problem }, 'skipping a checkpoint that failed verification');
    if (loaded !== null) {
      const { data, file } = loaded;
      if (config.model !== undefined && !sameShape(config.model, data.model.shape)) {
        throw new ServerError(
          'CHECKPOINT_SHAPE_MISMATCH',
          `checkpoint ${basename(file)} holds a ${data.model.shape.numItems}×${data.model.shape.dim} model, but the config asks for ${config.model.numItems}×${config.model.dim}`,
        );
      }
      const model = ModelState.from(data.model);
      // A newer checkpoint that no longer verifies was published by an earlier run: its version must not be reused for other bytes.
      for (const { file: skippedFile } of loaded.skipped) model.reserveVersionsThrough(checkpointVersion(basename(skippedFile)) ?? 0);
      // Each version is one applied, published round: those only the skipped files recorded were released, and must still be charged.
      const unrecordedRounds = model.reservedThrough - data.model.version;
      if (unrecordedRounds > 0) {
        logger.warn(
          { file: basename(file), modelVersion: model.version, unrecordedRounds },
          'resumed from an older checkpoint: the rounds only newer, unreadable checkpoints recorded are charged to the privacy ledger again, and their versions are not reused',
        );
      }
      const optimiser = createOptimiser(config.optimiser, model.floats, model.snapshot());
      if (data.optimiser.kind === optimiser.kind) optimiser.restore(data.optimiser);
      else logger.warn({ from: data.optimiser.kind, to: optimiser.kind }, 'optimiser changed since the checkpoint: starting its state afresh');
      const denoising = config.optimiser.kind === 'fedavg' && config.optimiser.denoise !== undefined;
      if (data.optimiser.kind === 'fedavg' && denoising !== DenoisedFedAvg.hasDenoisingState(data.optimiser)) {
        logger.warn(
          { denoise: denoising },
          denoising
            ? "denoising turned on since the checkpoint: it starts from the checkpoint's model"
            : 'denoising turned off since the checkpoint: plain FedAvg goes on from the released model, the raw sum is dropped',
        );
      }
      restorePrivacy(data.privacyLedger, basename(file), model.version, unrecordedRounds);
      logger.info({ file: basename(file), modelVersion: model.version, nextRoundId: data.nextRoundId }, 'resumed from checkpoint');
      return { model, optimiser, nextRoundId: data.nextRoundId, fresh: false };
    }
    if (config.model === undefined) {
      throw new ServerError('NO_MODEL', 'no checkpoint to resume from: configure model.numItems and model.dim to create a fresh model');
    }
    const { numItems, dim, seed, initStd } = config.model;
    const model = ModelState.from(createSharedModel({ numItems, dim }, { seed, initStd }));
    logger.info({ numItems, dim }, 'created a fresh model');
    return { model, optimiser: createOptimiser(config.optimiser, model.floats, model.snapshot()), nextRoundId: 1, fresh: true };
  }

  /**
   * Hands the checkpoint's privacy state to whoever keeps it: the server's own
   * ledger (privacy configured) and the external hook. Refuses to resume a
   * ledger the configuration would silently drop.
   */
  function restorePrivacy(stored: unknown, file: string, modelVersion: number, unrecordedRounds: number): void {
    if (isServerPrivacyState(stored)) {
      if (privacy === null) {
        throw new ServerError(
          'PRIVACY_LEDGER_CONFLICT',
          `checkpoint ${file} carries a privacy ledger, but this server has no privacy config: it would train on without accounting. Configure privacy, or start from an empty modelDir`,
        );
      }
      let external: unknown;
      try {
        external = privacy.restore(stored);
      } catch (error) {
        const issues = error instanceof ServerError ? error.issues : [];
        throw new ServerError('PRIVACY_LEDGER_CONFLICT', `checkpoint ${file} holds an invalid privacy ledger: ${error instanceof Error ? error.message : String(error)}`, issues);
      }
      privacyLedger?.restore?.(external);
      if (unrecordedRounds > 0) privacy.chargeUnrecordedRounds(unrecordedRounds);
      const { epsilonSpent, roundsAccounted, budgetExhausted } = privacy.status();
      logger.info({ epsilonSpent, roundsAccounted, budgetExhausted }, 'privacy ledger restored');
      return;
    }
    if (privacy !== null && modelVersion > 0) {
      logger.warn({ file, modelVersion }, 'checkpoint has no privacy ledger: the rounds that trained it so far are not accounted');
    }
    privacyLedger?.restore?.(stored);
  }

  function privacyState(applied: AppliedRound | null): unknown {
    const external = applied !== null && privacyLedger !== undefined ? privacyLedger.snapshot(applied) : null;
    return privacy === null ? external : privacy.toJSON(external);
  }

  async function commit(applied: AppliedRound | null): Promise<void> {
    const { store, model, optimiser, coordinator } = need();
    if (store === null) return;
    const started = performance.now();
    try {
      const file = await store.write({
        model: model.snapshot(),
        optimiser: optimiser.snapshot(),
        lastRoundId: applied?.roundId ?? null,
        nextRoundId: applied?.nextRoundId ?? coordinator.nextRoundId,
        privacyLedger: privacyState(applied),
        createdAt: new Date().toISOString(),
      });
      stats.lastCheckpointMs = performance.now() - started;
      stats.lastCheckpointFile = basename(file);
      stats.lastCheckpointError = null;
      events.emit('checkpointWritten', { file, modelVersion: model.workingVersion, roundId: applied?.roundId ?? null });
    } catch (error) {
      stats.lastCheckpointError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  function listen(): Promise<ServerAddress> {
    if (state !== 'new') return Promise.reject(new ServerError('BAD_LIFECYCLE', `listen() called on a ${state} server`));
    state = 'starting';
    const started = start();
    starting = started.catch(() => undefined);
    return started;
  }

  async function start(): Promise<ServerAddress> {
    try {
      const store = config.modelDir === undefined ? null : new CheckpointStore(config.modelDir, config.checkpoints.keep);
      await store?.init();
      const { model, optimiser, nextRoundId, fresh } = await resume(store);
      const tokenSecret = config.auth.tokenSecret ?? (await loadOrCreateTokenSecret(config.modelDir));
      const { maxStrikes, strikeBanMs, strikeWindowMs } = config.limits;
      const strikes = new StrikeBook({ maxStrikes, banMs: strikeBanMs, windowMs: strikeWindowMs, dir: config.modelDir, logger });
      await strikes.load();
      publicPrivacy = privacy?.spend() ?? null;
      // Kept in memory only: an adversary who can predict the cohort loses privacy amplification.
      const samplingSeed = config.rounds.samplingSeed ?? randomBytes(16).toString('hex');
      const httpServer = createHttpServer(
        httpServerOptions(config.http),
        createRequestHandler({
          status,
          publicStatus,
          operatorKey: config.auth.operatorKey,
          model: () => ({ bytes: model.bytes(), version: model.version }),
          enrol: () => issueToken({ secret: tokenSecret, ttlSeconds: config.auth.tokenTtlSeconds }),
          enrolment: config.auth.enrolment,
          enrolmentKey: config.auth.enrolmentKey,
          logger,
          enrolLimits: new EnrolLimits(config.http, logger, stats),
        }),
      );
      limitConnections(httpServer, config.http, logger, stats);
      let gateway: SocketGateway | null = null;
      const coordinator = new RoundCoordinator({
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
        hooks: {
          roundOpened: (info, bytes) => {
            gateway?.broadcastRoundStart(info, bytes);
            events.emit('roundOpened', { roundId: info.roundId, modelVersion: info.modelVersion, cohort: info.cohort });
          },
          roundClosed: (info) => {
            lastClosed = { roundId: info.roundId, outcome: info.outcome, accepted: info.accepted, closedAt: new Date().toISOString() };
            if (info.privacy !== undefined) publicPrivacy = info.privacy;
            // Nobody was invited to a round that never opened (cohort too small, budget): no need to tell anyone.
            if (info.cause !== 'cohort-too-small' && info.cause !== 'budget-exhausted') gateway?.broadcastRoundClosed(info);
            events.emit('roundClosed', info);
          },
          commit,
          releasesHalted: (error) => {
            const wasHalted = stats.releasesHaltedSince !== null;
            stats.releasesHaltedSince = error === null ? null : (stats.releasesHaltedSince ?? new Date().toISOString());
            if (error !== null) stats.lastCheckpointError = error;
            if (wasHalted !== (error !== null)) events.emit('releases', { halted: error !== null, error });
          },
          sendSecAgg: (clientId, roundId, message) => gateway?.sendSecAgg(clientId, roundId, message),
          secureAggregationEnded: (info) => events.emit('secureAggregation', info),
        },
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
      running = { model, optimiser, coordinator, gateway, httpServer, tokenSecret, store, strikes };
      if (fresh) await commit(null);
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const bound = httpServer.address() as AddressInfo;
      const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      address = { host: bound.address, port: bound.port, url: `http://${host}:${bound.port}` };
      state = 'running';
      coordinator.start();
      logger.info({ url: address.url, modelVersion: model.version, maxUpdateBytes: gateway.maxUpdateBytes }, 'listening');
      return address;
    } catch (error) {
      state = 'closed';
      if (running !== null) await running.gateway.close().catch(() => undefined);
      running = null;
      throw error;
    }
  }

  async function close(): Promise<void> {
    if (state === 'new') {
      state = 'closed';
      return;
    }
    // A close() during startup waits for it, then closes what it started.
    if (state === 'starting') await starting;
    if (state !== 'running') return;
    state = 'closing';
    const deadline = performance.now() + config.shutdownTimeoutMs;
    const { coordinator, gateway, strikes } = need();
    // The open round first, while its members are still connected to hear how it ended.
    const stopped = coordinator.stop();
    const checkpointed = await settlesWithin(stopped, deadline - performance.now());
    await gateway.close(deadline);
    await strikes.flush();
    state = 'closed';
    if (!checkpointed) {
      throw new ServerError('SHUTDOWN_TIMEOUT', `the open round's checkpoint was not written within shutdownTimeoutMs (${config.shutdownTimeoutMs} ms)`);
    }
    await stopped; // a failed checkpoint is reported now that the network side is closed
    logger.info('closed');
  }

  function status(): ServerStatus {
    const now = Date.now();
    const model = running?.model;
    const coordinator = running?.coordinator;
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
      updates: { accepted: stats.updatesAccepted, rejectedTotal: stats.rejectedTotal, rejected: { ...stats.rejected } },
      rounds: { applied: stats.roundsApplied, abandoned: stats.roundsAbandoned },
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

  function publicStatus(): PublicStatus {
    const model = running?.model;
    return {
      protocolVersion: PROTOCOL_VERSION,
      state,
      model: { version: model?.version ?? 0, numItems: model?.shape.numItems ?? 0, dim: model?.shape.dim ?? 0 },
      rounds: { applied: stats.roundsApplied, abandoned: stats.roundsAbandoned, lastClosed },
      releasing: stats.releasesHaltedSince === null,
      privacy: publicPrivacy,
    };
  }

  return {
    listen,
    close,
    get address() {
      return address;
    },
    config,
    events,
    status,
    publicStatus,
    model() {
      return need().model.publishedModel();
    },
    issueToken(tokenOptions = {}) {
      return issueToken({ secret: need().tokenSecret, ttlSeconds: config.auth.tokenTtlSeconds, ...tokenOptions });
    },
  };
}

/** The server's DP accountant when `privacy` is configured (the schema has ensured Poisson sampling), else null. */
function createServerPrivacy(
  config: ResolvedServerConfig,
  logger: Logger,
  events: EventEmitter<FedRecServerEvents>,
  noiseSource: RandomSource | undefined,
): ServerPrivacy | null {
  if (config.privacy === undefined) return null;
  const { sampling } = config.rounds;
  if (sampling.kind !== 'poisson') throw new ServerError('INVALID_CONFIG', 'rounds.sampling: privacy needs Poisson sampling');
  // Distributed noise under SecAgg is charged through a bound that is loose at
  // fractional orders below 2: an integer-order ledger charges it a larger z
  // (1.1x at q = 0.5, 1.6x at q = 0.01 in effectiveNoiseMultiplier's example).
  const secureDistributed = config.secureAggregation?.enabled === true && config.privacy.placement === 'distributed';
  return new ServerPrivacy(config.privacy, sampling.rate, {
    ...(noiseSource !== undefined ? { noiseSource } : {}),
    ...(secureDistributed ? { ledgerOrders: 'integer' as const } : {}),
    onExhausted: (spend) => {
      logger.warn(spend, 'privacy budget exhausted: the next round would exceed the target epsilon, so no more rounds open and the model is frozen');
      events.emit('budgetExhausted', spend);
    },
  });
}
