import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { decodeCheckpoint } from '../checkpoint/checkpoint-file.js';
import { checkpointFileName, checkpointToken, type CheckpointStore } from '../checkpoint/checkpoint-store.js';
import type { ResolvedServerConfig } from '../config/server-config.js';
import type { ModelState } from '../model/model-state.js';
import type { ServerOptimiser } from '../optimisers/server-optimiser.js';
import type { ServerPrivacy } from '../privacy/server-privacy.js';
import type { ClusterRoundLink, NodeRoundPart, RoundCoordinator } from '../rounds/round-coordinator.js';
import type { FedRecServerEvents } from '../server-events.js';
import type { ServerStats } from '../status/server-stats.js';
import { adoptCheckpoint } from './adopt-checkpoint.js';
import { clusterKeys, type ClusterKeys } from './cluster-keys.js';
import { closedInfo, parseClusterMessage, type ClusterMessage } from './cluster-messages.js';
import { CoordinatorLease, type HeldLease } from './coordinator-lease.js';
import { CoordinatorRole, type CheckpointRef } from './coordinator-role.js';
import { encodePartialSum } from './partial-sum.js';
import { connectRedis, type RedisConnection } from './redis-connection.js';

export type ClusterServerConfig = ResolvedServerConfig & { readonly cluster: NonNullable<ResolvedServerConfig['cluster']> };

export interface ClusterNodeDeps {
  readonly config: ClusterServerConfig;
  readonly logger: Logger;
  readonly events: EventEmitter<FedRecServerEvents>;
  readonly store: CheckpointStore;
  readonly model: ModelState;
  readonly optimiser: ServerOptimiser;
  readonly privacy: ServerPrivacy | null;
  readonly stats: ServerStats;
  /** The checkpoint the model was resumed from at start. */
  readonly resumedFrom: CheckpointRef;
  /** This node's round state machine (built after the node, which it reports to). */
  readonly coordinator: () => RoundCoordinator;
}

/** How long a partial sum waits in Redis for the coordinator (it reads them within the round's grace). */
const PARTIAL_TTL_MS = 10 * 60_000;

/**
 * One node of a server cluster: the part of a server that talks to the
 * other nodes through Redis.
 *
 * - **Heartbeat**: every third of `heartbeatTtlMs`, the node's eligible and
 *   connected counts, with that TTL: a killed node vanishes from the
 *   coordinator's view when it expires.
 * - **Rounds**: announcements arrive on the events channel; the node opens
 *   its own part of each (its `RoundCoordinator` in cluster mode) and posts
 *   the part's sum to the round's list when it closes.
 * - **Models**: an applied round names its durable checkpoint; the node
 *   adopts it (model, optimiser, ledger) before telling its clients.
 * - **Lease**: every node tries to take the coordinator lease while nobody
 *   holds it; the holder runs a `CoordinatorRole` and renews the lease every
 *   third of `leaseMs`, stepping down at the first renewal that fails.
 */
export class ClusterNode implements ClusterRoundLink {
  readonly nodeId: string;
  readonly keys: ClusterKeys;
  readonly #deps: ClusterNodeDeps;
  #redis: RedisConnection | null = null;
  #subscriber: RedisConnection | null = null;
  #blocking: RedisConnection | null = null;
  #lease: CoordinatorLease | null = null;
  #held: HeldLease | null = null;
  #role: CoordinatorRole | null = null;
  #roleDone: Promise<void> = Promise.resolve();
  readonly #published: { ref: CheckpointRef };
  /** The highest fencing token seen: announcements from an older coordinator are ignored. */
  #maxToken = 0;
  /** The token of each round this node took part in (a partial sum carries it). */
  readonly #roundTokens = new Map<number, number>();
  #messages: Promise<void> = Promise.resolve();
  #posts = new Set<Promise<void>>();
  #timers: ReturnType<typeof setInterval>[] = [];
  #ticking = false;
  #renewing = false;
  #stopping = false;

  get minSecureGroup(): number {
    return this.#deps.config.cluster.minSecureGroup;
  }

  constructor(deps: ClusterNodeDeps) {
    this.#deps = deps;
    const { cluster } = deps.config;
    this.nodeId = cluster.nodeId ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 40) || 'node'}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.keys = clusterKeys(cluster.prefix);
    this.#published = { ref: deps.resumedFrom };
  }

  /** Whether this node holds the coordinator lease, and its token. */
  get coordinatorToken(): number | null {
    return this.#held?.token ?? null;
  }

  /** Connects, subscribes, sends the first heartbeat and starts competing for the lease. Rejects (CLUSTER_UNREACHABLE) if Redis does not answer. */
  async start(): Promise<void> {
    const { config, logger } = this.#deps;
    const { cluster } = config;
    let lastError = '';
    const onError = (error: unknown): void => {
      // Reconnection is automatic: say it once per kind of failure, not on every retry.
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastError) logger.warn({ err: error }, 'cluster: Redis connection error (reconnecting)');
      lastError = message;
    };
    this.#redis = await connectRedis(cluster.url, onError);
    this.#subscriber = this.#redis.duplicate();
    this.#subscriber.on('error', onError);
    await this.#subscriber.connect();
    await this.#subscriber.subscribe(this.keys.events, (text: string) => this.#received(text));
    this.#blocking = this.#redis.duplicate();
    this.#blocking.on('error', onError);
    await this.#blocking.connect();
    this.#lease = new CoordinatorLease(this.#redis, this.keys, this.nodeId, cluster.leaseMs);
    await this.#tick();
    this.#timers.push(setInterval(() => void this.#tick(), Math.max(50, Math.floor(cluster.heartbeatTtlMs / 3))));
    this.#timers.push(setInterval(() => void this.#renew(), Math.max(50, Math.floor(cluster.leaseMs / 3))));
    logger.info({ nodeId: this.nodeId, prefix: cluster.prefix }, 'cluster: node joined');
  }

  /** Stops coordinating (releasing the lease), posts what is pending, leaves the cluster and disconnects. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await this.#stepDown('closing');
    await Promise.allSettled([...this.#posts]);
    await this.#messages;
    const redis = this.#redis;
    if (redis !== null) {
      await Promise.allSettled([redis.del(this.keys.node(this.nodeId)), redis.sRem(this.keys.nodes, this.nodeId)]);
    }
    for (const connection of [this.#subscriber, this.#blocking, this.#redis]) {
      if (connection === null) continue;
      try {
        await connection.close();
      } catch {
        connection.destroy();
      }
    }
    this.#redis = this.#subscriber = this.#blocking = null;
  }

  /** Posts this node's part of a round (the round coordinator calls it when the part closes). */
  partialClosed(part: NodeRoundPart): void {
    const redis = this.#redis;
    const token = this.#roundTokens.get(part.roundId);
    this.#roundTokens.delete(part.roundId);
    if (redis === null || token === undefined) return;
    const { logger, events } = this.#deps;
    const bytes = encodePartialSum({ ...part, nodeId: this.nodeId, token });
    const key = this.keys.partials(part.roundId);
    const post = (async () => {
      try {
        await redis.multi().rPush(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).pExpire(key, PARTIAL_TTL_MS).exec();
        events.emit('partialPosted', { roundId: part.roundId, count: part.count, cohortSize: part.cohortSize });
      } catch (error) {
        logger.warn({ err: error, roundId: part.roundId, updates: part.count }, "cluster: could not post this node's partial sum: its shoppers' updates are lost to this round");
      }
    })();
    this.#posts.add(post);
    void post.finally(() => this.#posts.delete(post));
  }

  #received(text: string): void {
    const message = parseClusterMessage(text);
    if (message === null) {
      this.#deps.logger.warn('cluster: ignored a message on the events channel that is not one this version writes');
      return;
    }
    // In order: a round's closing must not overtake its opening while a checkpoint is read.
    this.#messages = this.#messages.then(() => this.#handle(message)).catch((error: unknown) => this.#deps.logger.error({ err: error }, 'cluster: handling a message failed'));
  }

  async #handle(message: ClusterMessage): Promise<void> {
    if (this.#stopping || message.token < this.#maxToken) return;
    this.#maxToken = message.token;
    const coordinator = this.#deps.coordinator();
    if (message.type === 'round-open') {
      await this.#follow({ version: message.modelVersion, token: message.modelToken });
      this.#roundTokens.clear();
      this.#roundTokens.set(message.roundId, message.token);
      coordinator.openAnnounced({ roundId: message.roundId, modelVersion: message.modelVersion, privacy: message.privacy });
      return;
    }
    if (message.outcome === 'applied') await this.#follow({ version: message.modelVersion, token: message.modelToken });
    coordinator.announceClosed(closedInfo(message));
  }

  /** Serves the model of checkpoint `ref` (read from the shared model directory), unless already serving it. */
  async #follow(ref: CheckpointRef): Promise<void> {
    const current = this.#published.ref;
    if (current.version === ref.version && current.token === ref.token) return;
    const { store, logger } = this.#deps;
    const name = checkpointFileName(ref.version, ref.token === 0 ? undefined : ref.token);
    try {
      const data = decodeCheckpoint(await readFile(join(store.dir, name)));
      if (data.model.version !== ref.version) throw new Error(`${name} holds version ${data.model.version}`);
      adoptCheckpoint(data, this.#deps);
      this.#published.ref = ref;
      logger.info({ modelVersion: ref.version, token: ref.token }, 'cluster: serving the published model');
    } catch (error) {
      logger.error({ err: error, file: name }, 'cluster: cannot read the published checkpoint from the shared model directory: still serving the previous model');
    }
  }

  /** Heartbeat, and an attempt at the lease while nobody holds it. */
  async #tick(): Promise<void> {
    const redis = this.#redis;
    if (this.#ticking || redis === null || this.#stopping) return;
    this.#ticking = true;
    const { config, logger } = this.#deps;
    try {
      const coordinator = this.#deps.coordinator();
      const beat = JSON.stringify({ eligible: coordinator.eligibleCount, connected: coordinator.connectedCount });
      await redis.multi().set(this.keys.node(this.nodeId), beat, { expiration: { type: 'PX', value: config.cluster.heartbeatTtlMs } }).sAdd(this.keys.nodes, this.nodeId).exec();
      if (this.#held === null && this.#role === null) await this.#tryAcquire();
    } catch (error) {
      logger.debug({ err: error }, 'cluster: heartbeat failed (Redis unreachable?)');
    } finally {
      this.#ticking = false;
    }
  }

  async #tryAcquire(): Promise<void> {
    const { store, events, logger } = this.#deps;
    let floor = this.#maxToken;
    for (const name of await store.list()) floor = Math.max(floor, checkpointToken(name) ?? 0);
    const held = await this.#lease!.acquire(floor);
    if (held === null || this.#stopping) {
      if (held !== null) await this.#lease!.release(held);
      return;
    }
    this.#held = held;
    this.#maxToken = Math.max(this.#maxToken, held.token);
    logger.info({ token: held.token }, 'cluster: this node is the coordinator');
    const { config, model, optimiser, privacy, stats } = this.#deps;
    const role = new CoordinatorRole(
      { config, keys: this.keys, redis: this.#redis!, blocking: this.#blocking!, lease: this.#lease!, store, model, optimiser, privacy, stats, logger, events, published: this.#published, seenNextRoundId: () => this.#deps.coordinator().nextRoundId },
      held,
    );
    this.#role = role;
    this.#roleDone = role.run().then(() => {
      if (this.#role === role) void this.#stepDown('the coordinator role ended');
    });
  }

  async #renew(): Promise<void> {
    const held = this.#held;
    if (held === null || this.#renewing || this.#stopping) return;
    this.#renewing = true;
    const { leaseMs } = this.#deps.config.cluster;
    try {
      // An answer that comes later than this may come after the lease has expired: as good as none.
      const renewed = await withTimeout(this.#lease!.renew(held), Math.floor(leaseMs / 3), 'lease renewal');
      if (!renewed) await this.#stepDown('the lease was lost');
    } catch (error) {
      // Unsure whether the lease still holds: another node may take it once it expires, so stop now.
      this.#deps.logger.warn({ err: error }, 'cluster: lease renewal failed');
      await this.#stepDown('the lease could not be renewed');
    } finally {
      this.#renewing = false;
    }
  }

  async #stepDown(why: string): Promise<void> {
    const role = this.#role;
    const held = this.#held;
    if (role === null && held === null) return;
    this.#role = null;
    this.#held = null;
    role?.abort();
    await this.#roleDone;
    if (held !== null) {
      try {
        await this.#lease!.release(held);
      } catch {
        // It expires by itself.
      }
      this.#deps.logger.warn({ token: held.token, why }, 'cluster: no longer the coordinator');
      this.#deps.events.emit('coordinator', { held: false, token: held.token, modelVersion: this.#deps.model.version });
    }
  }
}

/** `promise`, or a rejection naming `what` once `ms` have passed. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
