import { randomBytes } from 'node:crypto';
import type { SharedModel } from '@fedrec/core';
import { encodeModel } from '@fedrec/core/format';
import type { PopulationSpec } from '../population/population-spec.js';
import type { ChunkResult, ClientUpdateSettings, RoundSettings } from './client-update-chunk.js';
import { blocksOf } from './cohort-chunks.js';
import { RoundSum } from './round-sum.js';
import { connectCluster, ClusterConnectionError, isRedisFailure, reason, asBuffer } from './cluster-connection.js';
import type { ClusterClient } from './cluster-connection.js';
import { clusterKeys, CLUSTER_KEY_TTL_SECONDS } from './cluster-keys.js';
import type { ClusterKeys } from './cluster-keys.js';
import { encodeJob, encodeChunk, decodeReply } from './cluster-messages.js';
import { ClusterMessageError } from './cluster-message-error.js';
import { readReplyEntries } from './cluster-stream-entries.js';
import { ensureWorkerGroup, liveWorkers } from './cluster-group.js';

/** Where and how a simulation runs its client updates on cluster workers (`fedrec worker --cluster URL`). */
export interface ClusterSettings {
  /** redis://HOST:PORT of the Redis the workers read. */
  readonly url: string;
  /** Key prefix shared with the workers (default `fedrec:sim`). */
  readonly prefix?: string;
  /** Called as results come in and about once a second while waiting for them. */
  readonly onProgress?: (progress: ClusterProgress) => void;
}

export interface ClusterProgress {
  /** The executor's round step (1 for its first round). */
  readonly step: number;
  /** Workers that read or claimed chunks in the last few seconds. */
  readonly workers: number;
  readonly chunks: number;
  /** Chunks summed so far this round. */
  readonly done: number;
  /** Chunks posted and not yet returned. */
  readonly inFlight: number;
  /**
   * Milliseconds of this round the runner spent working rather than waiting
   * for results: posting, decoding and adding partial sums. The serial part
   * of a round (Amdahl), which more workers do not shorten.
   */
  readonly runnerMs: number;
}

/** How long the runner blocks on the results stream before it reports progress again. */
const READ_BLOCK_MS = 1_000;
const PROGRESS_EVERY_MS = 1_000;
/** Results read per call: many small ones arrive together near the end of a round. */
const READ_COUNT = 256;

/**
 * Client updates on worker processes, through Redis: the model is stored
 * once per round, each chunk of the cohort — one block of the summation
 * tree, 8 × 16 shoppers (cohort-chunks.ts) — goes into a stream that the
 * workers' consumer group shares out, and the blocks' partial sums come back
 * on the job's results stream. Workers sum a block exactly as `RoundSum`
 * does in process and the runner adds the blocks in order, so the numbers
 * are those of the in-process run.
 *
 * A chunk whose worker died is claimed by another worker after the claim
 * timeout (XAUTOCLAIM); if the first one was only slow, its result arrives
 * twice and the second copy is ignored, as is a result of an earlier round.
 * (An `UpdateExecutor`, by shape: `createUpdateExecutor` returns it.)
 */
export class ClusterExecutor {
  private step = 0;
  private workersSeen = 0;
  private readonly scratch: Float64Array[] = [];
  /** Chunk entries of the current round, deleted from the stream when it ends. */
  private posted: string[] = [];
  private lastResultId = '0-0';
  private closed = false;

  private constructor(
    private readonly client: ClusterClient,
    private readonly keys: ClusterKeys,
    private readonly jobId: string,
    private readonly url: string,
    private readonly onProgress?: (progress: ClusterProgress) => void,
  ) {}

  static async start(cluster: ClusterSettings, spec: PopulationSpec, settings: ClientUpdateSettings): Promise<ClusterExecutor> {
    const keys = clusterKeys(cluster.prefix);
    const client = await connectCluster(cluster.url);
    const jobId = randomBytes(12).toString('hex');
    const executor = new ClusterExecutor(client, keys, jobId, cluster.url, cluster.onProgress);
    try {
      await ensureWorkerGroup(client, keys.chunks);
      await client.set(keys.job(jobId), asBuffer(encodeJob({ jobId, population: spec, settings })), { EX: CLUSTER_KEY_TTL_SECONDS });
      // Workers add results with NOMKSTREAM, so that a late one for a closed job does not recreate its stream: it must exist first.
      await client.xGroupCreate(keys.results(jobId), 'runner', '$', { MKSTREAM: true });
      await client.expire(keys.results(jobId), CLUSTER_KEY_TTL_SECONDS);
    } catch (error) {
      await executor.close();
      throw executor.lost(error);
    }
    return executor;
  }

  /** Workers seen so far (at most): the cluster's counterpart of a thread count. */
  get threads(): number {
    return this.workersSeen;
  }

  async computeRound(model: SharedModel, round: RoundSettings, cohort: readonly number[]): Promise<ChunkResult> {
    const step = ++this.step;
    // A cluster chunk is one block of the summation tree (up to 128 shoppers): its worker sums the block as RoundSum would here.
    const chunks = blocksOf(cohort);
    const total = new RoundSum(model.values.length, chunks.length, 1);
    if (chunks.length === 0) return total.result();
    const { client, keys, jobId } = this;
    const started = performance.now();
    let waited = 0;
    try {
      const post = client.multi();
      post.set(keys.model(jobId, step), asBuffer(encodeModel(model)), { EX: CLUSTER_KEY_TTL_SECONDS });
      post.expire(keys.job(jobId), CLUSTER_KEY_TTL_SECONDS);
      chunks.forEach((shoppers, chunkId) => post.xAdd(keys.chunks, '*', { m: asBuffer(encodeChunk({ jobId, step, chunkId, round, shoppers })) }));
      const replies = await post.exec();
      this.posted = replies.slice(2).map((id) => String(id));
      // The first report comes after a second of waiting (or at the end): short rounds print nothing between their round lines.
      let reported = performance.now();
      while (!total.complete) {
        const waitStarted = performance.now();
        const read = await client.xRead({ key: keys.results(jobId), id: this.lastResultId }, { COUNT: READ_COUNT, BLOCK: READ_BLOCK_MS });
        waited += performance.now() - waitStarted;
        const entries = readReplyEntries(read, 'r');
        if (entries.length > 0) {
          this.lastResultId = entries.at(-1)!.id;
          // Read results are not needed again; deleting them keeps a long run's stream small.
          void client.xDel(keys.results(jobId), entries.map((e) => e.id)).catch(() => {});
        }
        for (const entry of entries) this.take(entry.body, total, step, model.values.length);
        if (!total.complete && performance.now() - reported >= PROGRESS_EVERY_MS) {
          reported = performance.now();
          await this.report(step, chunks.length, total, reported - started - waited);
        }
      }
      await client.multi().del(keys.model(jobId, step)).xDel(keys.chunks, this.posted).exec();
      this.posted = [];
      await this.report(step, chunks.length, total, performance.now() - started - waited);
    } catch (error) {
      throw this.lost(error);
    }
    return total.result();
  }

  /** Adds one reply to the round's sum; replies of other rounds (late duplicates) and repeats are ignored. */
  private take(bytes: Buffer | undefined, total: RoundSum, step: number, length: number): void {
    if (bytes === undefined) throw new ClusterMessageError('a cluster result entry has no binary "r" field: is a worker of another FedRec version writing to this prefix?');
    const reply = decodeReply(bytes, length, this.scratch.pop());
    if (reply.jobId !== this.jobId || reply.step !== step) {
      if (reply.type === 'result') this.scratch.push(reply.result.sum);
      return;
    }
    if (reply.type === 'failure') throw new Error(`cluster worker failed on chunk ${reply.chunkId} of round step ${step}: ${reply.message}`);
    const spent = total.put(reply.chunkId, reply.result);
    this.scratch.push(...(spent ?? [reply.result.sum]));
  }

  private async report(step: number, chunks: number, total: RoundSum, runnerMs: number): Promise<void> {
    const workers = await liveWorkers(this.client, this.keys.chunks);
    this.workersSeen = Math.max(this.workersSeen, workers);
    let arrived = 0;
    for (let c = 0; c < chunks; c++) if (total.has(c)) arrived++;
    this.onProgress?.({ step, workers, chunks, done: total.done, inFlight: chunks - arrived, runnerMs });
  }

  /** A Redis failure becomes a ClusterConnectionError naming the server; our own errors pass through. */
  private lost(error: unknown): Error {
    if (error instanceof ClusterConnectionError || (error instanceof Error && !isRedisFailure(error))) return error;
    return new ClusterConnectionError(`lost the connection to Redis at ${this.url}: ${reason(error)}`, { cause: error });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const { client, keys, jobId } = this;
    if (client.isReady) {
      const cleanup = client.multi().del([keys.job(jobId), keys.results(jobId), keys.model(jobId, this.step)]);
      if (this.posted.length > 0) cleanup.xDel(keys.chunks, this.posted);
      await cleanup.exec().catch(() => {});
      await client.close().catch(() => client.destroy());
    } else {
      client.destroy();
    }
  }
}
