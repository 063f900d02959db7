import type { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { checkpointToken, checkpointVersion, type CheckpointStore } from '../checkpoint/checkpoint-store.js';
import type { ResolvedServerConfig } from '../config/server-config.js';
import type { ModelState } from '../model/model-state.js';
import type { ServerOptimiser } from '../optimisers/server-optimiser.js';
import type { ServerPrivacy } from '../privacy/server-privacy.js';
import { applyRoundMean } from '../rounds/apply-round-mean.js';
import type { CloseCause } from '../rounds/close-cause.js';
import { noDeclines } from '../rounds/decline-counts.js';
import { UpdateAccumulator } from '../rounds/update-accumulator.js';
import type { FedRecServerEvents } from '../server-events.js';
import type { ServerStats } from '../status/server-stats.js';
import { adoptCheckpoint } from './adopt-checkpoint.js';
import type { ClusterKeys } from './cluster-keys.js';
import { CLUSTER_MESSAGE_VERSION, parseHeartbeat, type Heartbeat, type RoundClosedClusterMessage, type RoundOpenMessage } from './cluster-messages.js';
import type { CoordinatorLease, HeldLease } from './coordinator-lease.js';
import { decodePartialSum, type PartialSum } from './partial-sum.js';
import type { RedisConnection } from './redis-connection.js';

/** The checkpoint a published model came from: its version and the token of the coordinator that wrote it (0: a single server's, or a fresh model's). */
export interface CheckpointRef {
  readonly version: number;
  readonly token: number;
}

export interface CoordinatorRoleDeps {
  readonly config: ResolvedServerConfig & { readonly cluster: NonNullable<ResolvedServerConfig['cluster']> };
  readonly keys: ClusterKeys;
  readonly redis: RedisConnection;
  /** A connection of its own for BLPOP (a blocked connection can do nothing else). */
  readonly blocking: RedisConnection;
  readonly lease: CoordinatorLease;
  readonly store: CheckpointStore;
  readonly model: ModelState;
  readonly optimiser: ServerOptimiser;
  readonly privacy: ServerPrivacy | null;
  readonly stats: ServerStats;
  readonly logger: Logger;
  readonly events: EventEmitter<FedRecServerEvents>;
  /** The checkpoint the served model came from, updated as the role publishes. */
  readonly published: { ref: CheckpointRef };
  /** One past the highest round id this node has seen announced (a Redis that restarted empty forgot the counter). */
  readonly seenNextRoundId: () => number;
}

/** Thrown inside the role when its lease is gone: it stops at once, publishing nothing. */
class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

/** How often an idle coordinator looks at the nodes' heartbeats for enough eligible shoppers. */
const IDLE_POLL_MS = 100;
/** BLPOP's timeout, in seconds: how often a waiting coordinator looks for nodes that have gone. */
const PARTIAL_POLL_SECONDS = 0.2;
const SECURE_LATER_STAGES = 3;

/**
 * The coordinator of a cluster, while this node holds the lease: resumes
 * from the newest durable checkpoint, opens rounds (one announcement; each
 * node samples its own shoppers), waits for the live nodes' partial sums,
 * combines them in node order, applies the round exactly as a single
 * server does (`applyRoundMean`), and publishes the new model only once its
 * checkpoint, ledger included, is durable (the write-ahead rule) — and only
 * if the lease is still its own (the fencing token).
 */
export class CoordinatorRole {
  #aborted = false;
  #wake: (() => void) | null = null;
  #nextId = 1;
  readonly #accumulator: UpdateAccumulator;

  constructor(
    private readonly deps: CoordinatorRoleDeps,
    readonly held: HeldLease,
  ) {
    this.#accumulator = new UpdateAccumulator(deps.model.floats);
  }

  /** Stops the role at its next step (its lease is lost, or the node is closing); nothing more is published. */
  abort(): void {
    this.#aborted = true;
    this.#wake?.();
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Runs rounds until aborted. Never rejects: a failure is logged and ends the role (the lease then lapses or is released). */
  async run(): Promise<void> {
    const { logger } = this.deps;
    try {
      await this.#resume();
      while (!this.#aborted) await this.#round();
    } catch (error) {
      if (error instanceof LeaseLost || this.#aborted) logger.warn({ token: this.held.token }, 'coordinator stepped down: the lease is no longer ours');
      else logger.error({ err: error, token: this.held.token }, 'coordinator failed: stepping down');
      this.#aborted = true;
    }
  }

  #check(): void {
    if (this.#aborted) throw new LeaseLost();
  }

  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = null;
    this.#check();
  }

  /**
   * Starts from the newest durable checkpoint (whatever this node served
   * before: a deposed coordinator's working state may be ahead of it), never
   * reuses a version any checkpoint file holds, and abandons the round its
   * predecessor left open.
   */
  async #resume(): Promise<void> {
    const { store, redis, keys, logger, published } = this.deps;
    const loaded = await store.loadLatest();
    for (const { file, problem } of loaded?.skipped ?? []) logger.warn({ file, problem }, 'skipping a checkpoint that failed verification');
    if (loaded !== null) {
      adoptCheckpoint(loaded.data, this.deps);
      published.ref = { version: loaded.data.model.version, token: checkpointToken(basename(loaded.file)) ?? 0 };
      this.#nextId = loaded.data.nextRoundId;
    }
    // A deposed coordinator's refused file may hold a higher version than the one resumed: it was never
    // published (fencing refused it), so no ε is charged for it, but its version is not handed out again.
    for (const name of await store.list()) this.deps.model.reserveVersionsThrough(checkpointVersion(name) ?? 0);
    // Round ids are never reused: the counter in Redis, or (after Redis lost it) what this node has seen.
    this.#nextId = Math.max(this.#nextId, this.deps.seenNextRoundId(), Number((await redis.get(keys.nextRound))?.toString() ?? 0));
    this.#check();
    const open = Number((await redis.get(keys.openRound))?.toString() ?? '');
    if (Number.isSafeInteger(open) && open > 0) {
      this.#nextId = Math.max(this.#nextId, open + 1);
      await this.#publishClosed({ roundId: open, outcome: 'abandoned', cause: 'coordinator-lost', accepted: 0, cohortSize: 0, durationMs: 0, declined: noDeclines() });
    }
    logger.info({ token: this.held.token, modelVersion: this.deps.model.version, nextRoundId: this.#nextId }, 'coordinator: resumed from the newest durable checkpoint');
    this.deps.events.emit('coordinator', { held: true, token: this.held.token, modelVersion: this.deps.model.version });
  }

  /** The nodes whose heartbeat is live, with what each reports. Nodes whose heartbeat expired are forgotten. */
  async #liveNodes(): Promise<Map<string, Heartbeat>> {
    const { redis, keys } = this.deps;
    const ids = (await redis.sMembers(keys.nodes)).map(String).sort();
    const live = new Map<string, Heartbeat>();
    if (ids.length === 0) return live;
    const beats = await redis.mGet(ids.map((id) => keys.node(id)));
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const beat = parseHeartbeat((beats[i] as Buffer | null | undefined) ?? null);
      if (beat === null) gone.push(id);
      else live.set(id, beat);
    });
    if (gone.length > 0) await redis.sRem(keys.nodes, gone);
    return live;
  }

  async #round(): Promise<void> {
    const { config, keys, lease, blocking, model, privacy, logger } = this.deps;
    const { rounds, cluster } = config;
    const nodes = await this.#liveNodes();
    this.#check();
    let eligible = 0;
    for (const beat of nodes.values()) eligible += beat.eligible;
    if (eligible < rounds.minClients) return this.#sleep(IDLE_POLL_MS);
    const plan = privacy?.planRound(eligible) ?? null;
    if (privacy !== null && plan === null) return this.#sleep(IDLE_POLL_MS * 10); // the budget is spent: the model is frozen
    const roundId = this.#nextId++;
    const announcement: RoundOpenMessage = {
      v: CLUSTER_MESSAGE_VERSION,
      type: 'round-open',
      token: this.held.token,
      roundId,
      modelVersion: model.version,
      modelToken: this.deps.published.ref.token,
      privacy: plan === null ? null : { ...plan, ledgerOrders: [...plan.ledgerOrders] },
    };
    const opened = performance.now();
    if (!(await lease.publishFenced(this.held, JSON.stringify(announcement), { [keys.nextRound]: String(this.#nextId), [keys.openRound]: String(roundId) }))) throw new LeaseLost();
    const secure = config.secureAggregation?.enabled === true;
    const roundMs = rounds.timeoutMs + (secure ? (SECURE_LATER_STAGES + 1) * config.secureAggregation!.stageTimeoutMs : 0);
    const deadline = opened + roundMs + cluster.partialGraceMs;
    const expected = new Set(nodes.keys());
    const parts = new Map<string, PartialSum>();
    let partialBytes = 0;
    let lastPartialAt = opened;
    let decodeMs = 0;
    const missing = (): number => [...expected].filter((id) => !parts.has(id)).length;
    while (missing() > 0 && performance.now() < deadline) {
      this.#check();
      const reply = await blocking.blPop(keys.partials(roundId), PARTIAL_POLL_SECONDS);
      if (reply !== null) {
        const bytes = reply.element as unknown as Buffer;
        const decodeStarted = performance.now();
        try {
          const part = decodePartialSum(bytes, model.floats);
          decodeMs += performance.now() - decodeStarted;
          if (part.roundId === roundId && part.token === this.held.token && part.modelVersion === model.version) {
            parts.set(part.nodeId, part);
            partialBytes += bytes.byteLength;
            lastPartialAt = performance.now();
            // A node that joined after the announcement may still have taken part (it heard it).
            expected.add(part.nodeId);
          }
        } catch (error) {
          logger.warn({ roundId, err: error }, 'a partial sum failed validation: ignored');
        }
        continue;
      }
      const live = await this.#liveNodes();
      for (const id of expected) {
        if (!parts.has(id) && !live.has(id)) {
          expected.delete(id);
          logger.warn({ roundId, node: id }, 'node gone mid-round: its shoppers\' updates are lost to this round');
        }
      }
    }
    this.#check();
    await this.deps.redis.del(keys.partials(roundId));
    const waitMs = lastPartialAt - opened;
    const cause: CloseCause = missing() === 0 ? 'cohort-done' : 'deadline';
    const combineStarted = performance.now();
    const accumulator = this.#accumulator;
    accumulator.reset();
    let unclipped = 0;
    let cohortSize = 0;
    const declined = noDeclines();
    // In node order, so that the same partial sums always give the same bits.
    const ordered = [...parts.keys()].sort().map((id) => parts.get(id)!);
    for (const part of ordered) {
      if (part.count > 0) accumulator.addPartial(part.sum, part.count, part.totalWeight);
      unclipped += part.unclipped;
      cohortSize += part.cohortSize;
      for (const reason of Object.keys(declined) as (keyof typeof declined)[]) declined[reason] += part.declined[reason];
    }
    const accepted = accumulator.count;
    const combineMs = performance.now() - combineStarted;
    this.deps.events.emit('partialSums', { roundId, parts: ordered.map(({ nodeId, count, sum }) => ({ nodeId, count, sum })) });
    const durationMs = performance.now() - opened;
    const closed = { roundId, accepted, cohortSize, durationMs, declined };
    if (accepted < rounds.minUpdates) {
      logger.info({ ...closed, cause, minUpdates: rounds.minUpdates }, 'cluster round abandoned');
      await this.#publishClosed({ ...closed, outcome: 'abandoned', cause });
      return this.#sleep(rounds.cooldownMs);
    }
    const applyStarted = performance.now();
    const totalWeight = accumulator.totalWeight;
    const mean = accumulator.takeMean();
    const modelVersion = applyRoundMean({ roundId, mean, accepted, unclipped, privacy: plan, ledgerNoise: undefined }, { model, optimiser: this.deps.optimiser, policy: privacy, logger });
    accumulator.reset();
    const applyMs = performance.now() - applyStarted;
    if (modelVersion === null) {
      await this.#publishClosed({ ...closed, outcome: 'abandoned', cause: 'non-finite' });
      return this.#sleep(rounds.cooldownMs);
    }
    const commitStarted = performance.now();
    await this.#commit(roundId, modelVersion, accepted, cohortSize, totalWeight);
    const commitMs = performance.now() - commitStarted;
    // Durable: publish, if the lease is still ours. If not, the file stays unpublished and this node steps down.
    this.#check();
    model.publish();
    this.deps.published.ref = { version: modelVersion, token: this.held.token };
    await this.#publishClosed({ ...closed, durationMs: performance.now() - opened, outcome: 'applied', cause });
    logger.info({ ...closed, modelVersion, nodes: parts.size }, 'cluster round applied');
    this.deps.events.emit('coordinatorRoundCost', { roundId, nodes: expected.size, partials: parts.size, partialBytes, decodeMs, combineMs, applyMs, commitMs, waitMs, durationMs: performance.now() - opened });
    return this.#sleep(rounds.cooldownMs);
  }

  /** Writes the round's checkpoint (model, optimiser, ledger) under this coordinator's token, retrying while the lease is ours. */
  async #commit(roundId: number, modelVersion: number, accepted: number, cohortSize: number, totalWeight: number): Promise<void> {
    const { store, model, optimiser, privacy, stats, logger, events, config } = this.deps;
    let waitMs = config.checkpoints.retryMs;
    for (;;) {
      this.#check();
      const started = performance.now();
      try {
        const file = await store.write(
          {
            model: model.snapshot(),
            optimiser: optimiser.snapshot(),
            lastRoundId: roundId,
            nextRoundId: this.#nextId,
            privacyLedger: privacy === null ? null : privacy.toJSON(null),
            createdAt: new Date().toISOString(),
          },
          this.held.token,
        );
        stats.lastCheckpointMs = performance.now() - started;
        stats.lastCheckpointFile = basename(file);
        stats.lastCheckpointError = null;
        events.emit('checkpointWritten', { file, modelVersion, roundId });
        return;
      } catch (error) {
        stats.lastCheckpointError = error instanceof Error ? error.message : String(error);
        logger.error({ err: error, roundId, modelVersion, accepted, cohortSize, totalWeight }, 'checkpoint failed: the round is not published; retrying');
        await this.#sleep(waitMs);
        waitMs = Math.min(2 * waitMs, 60_000);
      }
    }
  }

  async #publishClosed(closed: Omit<RoundClosedClusterMessage, 'v' | 'type' | 'token' | 'modelVersion' | 'modelToken'>): Promise<void> {
    const { keys, lease, model, published } = this.deps;
    const message: RoundClosedClusterMessage = { v: CLUSTER_MESSAGE_VERSION, type: 'round-closed', token: this.held.token, modelVersion: model.version, modelToken: published.ref.token, ...closed };
    const values: Record<string, string> = { [keys.openRound]: '' };
    if (closed.outcome === 'applied') values[keys.published] = `${model.version}/${published.ref.token}`;
    if (!(await lease.publishFenced(this.held, JSON.stringify(message), values))) throw new LeaseLost();
  }
}
