import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { SharedModel } from '@fedrec/core';
import { decodeModel } from '@fedrec/core/format';
import type { Population } from '../population/population.js';
import { computeChunk } from './client-update-chunk.js';
import type { ClientUpdateSettings } from './client-update-chunk.js';
import { createPopulation } from './create-population.js';
import { chunksOf } from './cohort-chunks.js';
import { RoundSum } from './round-sum.js';
import { connectCluster, ClusterConnectionError, isRedisFailure, reason } from './cluster-connection.js';
import type { ClusterClient } from './cluster-connection.js';
import { clusterKeys, WORKER_GROUP } from './cluster-keys.js';
import type { ClusterKeys } from './cluster-keys.js';
import { decodeChunk, decodeJob, encodeFailure, encodeResult } from './cluster-messages.js';
import type { ChunkAddress, ClusterChunk } from './cluster-messages.js';
import { ClusterMessageError } from './cluster-message-error.js';
import { ensureWorkerGroup } from './cluster-group.js';
import { claimReplyEntries, readReplyEntries } from './cluster-stream-entries.js';
import type { StreamEntry } from './cluster-stream-entries.js';
import { asBuffer } from './cluster-connection.js';

export interface ClusterWorkerOptions {
  /** redis://HOST:PORT, the runner's `--cluster`. */
  readonly url: string;
  /** Key prefix shared with the runner (default `fedrec:sim`). */
  readonly prefix?: string;
  /**
   * A chunk another worker has held this long without answering is taken
   * over (its worker is presumed dead). Longer than any one chunk takes;
   * a slow worker's late answer is ignored by the runner, so too short
   * wastes work but never changes a result.
   */
  readonly claimIdleMs?: number;
  /** Stops the worker after the chunk in hand. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: ClusterWorkerEvent) => void;
}

export type ClusterWorkerEvent =
  | { readonly type: 'connected'; readonly worker: string }
  | { readonly type: 'job'; readonly jobId: string; readonly population: string; readonly shoppers: number }
  /** A chunk taken over from a worker that held it past the claim timeout. */
  | { readonly type: 'claimed'; readonly jobId: string; readonly step: number; readonly chunkId: number }
  /** A chunk answered with a failure (the runner stops with it). */
  | { readonly type: 'failed'; readonly jobId: string; readonly step: number; readonly chunkId: number; readonly message: string }
  /** An entry left unanswered: unreadable, or of a job or round that has ended. */
  | { readonly type: 'dropped'; readonly reason: string }
  | { readonly type: 'stopped'; readonly worker: string; readonly chunks: number };

export const DEFAULT_CLAIM_IDLE_MS = 10_000;
/** How long one read blocks waiting for chunks, so the worker checks for abandoned ones and its stop signal in between. */
const READ_BLOCK_MS = 1_000;

/**
 * A simulation cluster worker: reads chunks through the `workers` consumer
 * group, rebuilds each job's population from its spec (kept while chunks of
 * the same population come), fetches each round's model once, computes the
 * chunk with `computeChunk` — exactly what the runner would in process — and
 * adds the partial sum to the job's results stream, acknowledging the chunk
 * in the same round trip. Chunks another worker left unanswered past
 * `claimIdleMs` are claimed (XAUTOCLAIM) and computed again.
 *
 * Resolves when `signal` aborts; rejects with a ClusterConnectionError when
 * Redis cannot be reached or the connection drops.
 */
export async function runClusterWorker(options: ClusterWorkerOptions): Promise<void> {
  const claimIdleMs = options.claimIdleMs ?? DEFAULT_CLAIM_IDLE_MS;
  if (!Number.isInteger(claimIdleMs) || claimIdleMs < 1) throw new RangeError(`expected claimIdleMs >= 1 and an integer, got ${claimIdleMs}`);
  const keys = clusterKeys(options.prefix);
  const client = await connectCluster(options.url);
  const worker = new ClusterWorker(client, keys, `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`, claimIdleMs, options.onEvent ?? (() => {}));
  try {
    await worker.run(options.signal);
  } catch (error) {
    if (error instanceof ClusterConnectionError || !isRedisFailure(error)) throw error;
    throw new ClusterConnectionError(`lost the connection to Redis at ${options.url}: ${reason(error)}`, { cause: error });
  } finally {
    if (client.isReady) await client.close().catch(() => client.destroy());
    else client.destroy();
  }
}

interface LoadedJob {
  readonly jobId: string;
  readonly settings: ClientUpdateSettings;
  readonly population: Population;
}

class ClusterWorker {
  private job: LoadedJob | undefined;
  /** The population of the last job, kept for the next job that names the same spec (several simulations in a row). */
  private population: { readonly key: string; readonly value: Population } | undefined;
  private model: { readonly key: string; readonly value: SharedModel } | undefined;
  private scratch: Float64Array | undefined;
  private claimCursor = '0-0';
  private lastClaimCheck = 0;
  private chunks = 0;

  constructor(
    private readonly client: ClusterClient,
    private readonly keys: ClusterKeys,
    private readonly name: string,
    private readonly claimIdleMs: number,
    private readonly emit: (event: ClusterWorkerEvent) => void,
  ) {}

  async run(signal?: AbortSignal): Promise<void> {
    await ensureWorkerGroup(this.client, this.keys.chunks);
    this.emit({ type: 'connected', worker: this.name });
    while (!signal?.aborted) {
      const next = await this.nextEntry();
      if (next) await this.handle(next.entry, next.claimed);
    }
    // Leave the group only with nothing pending: deleting a consumer drops its pending chunks.
    const pending = await this.client.xPending(this.keys.chunks, WORKER_GROUP);
    const mine = pending.consumers?.find((c) => String(c.name) === this.name);
    if (!mine || Number(mine.deliveriesCounter) === 0) await this.client.xGroupDelConsumer(this.keys.chunks, WORKER_GROUP, this.name);
    this.emit({ type: 'stopped', worker: this.name, chunks: this.chunks });
  }

  /** An abandoned chunk (checked every half claim timeout), else a new one, waiting up to a second. */
  private async nextEntry(): Promise<{ readonly entry: StreamEntry; readonly claimed: boolean } | undefined> {
    const now = performance.now();
    if (now - this.lastClaimCheck >= this.claimIdleMs / 2) {
      this.lastClaimCheck = now;
      const reply = claimReplyEntries(await this.client.xAutoClaim(this.keys.chunks, WORKER_GROUP, this.name, this.claimIdleMs, this.claimCursor, { COUNT: 1 }), 'm');
      this.claimCursor = reply.next;
      // A cursor that is not back at the start may have more behind it: look again next time round.
      if (reply.next !== '0-0') this.lastClaimCheck = -Infinity;
      if (reply.entries[0]) return { entry: reply.entries[0], claimed: true };
    }
    const read = await this.client.xReadGroup(WORKER_GROUP, this.name, { key: this.keys.chunks, id: '>' }, { COUNT: 1, BLOCK: READ_BLOCK_MS });
    const entry = readReplyEntries(read, 'm')[0];
    return entry ? { entry, claimed: false } : undefined;
  }

  private async handle(entry: StreamEntry, claimed: boolean): Promise<void> {
    let chunk: ClusterChunk;
    try {
      if (entry.body === undefined) throw new ClusterMessageError('a chunk entry has no binary "m" field');
      chunk = decodeChunk(entry.body);
    } catch (error) {
      // Nobody to answer: the entry names no job we can read. Acknowledge it so that no worker takes it again.
      this.emit({ type: 'dropped', reason: `unreadable chunk entry ${entry.id}: ${reason(error)}` });
      await this.client.multi().xAck(this.keys.chunks, WORKER_GROUP, entry.id).xDel(this.keys.chunks, entry.id).exec();
      return;
    }
    if (claimed) this.emit({ type: 'claimed', jobId: chunk.jobId, step: chunk.step, chunkId: chunk.chunkId });
    let reply: Uint8Array | undefined;
    try {
      const job = await this.loadJob(chunk.jobId);
      const model = job && (await this.loadModel(chunk));
      if (!job || !model) {
        this.emit({ type: 'dropped', reason: `chunk ${chunk.chunkId} of ${!job ? 'a finished job' : 'a finished round'} (${chunk.jobId}, step ${chunk.step})` });
        // Its runner is gone or done with it (a runner deletes its round's entries itself, unless it died first).
        await this.client.multi().xAck(this.keys.chunks, WORKER_GROUP, entry.id).xDel(this.keys.chunks, entry.id).exec();
        return;
      } else {
        for (const s of chunk.shoppers) if (s >= job.population.numShoppers) throw new ClusterMessageError(`shopper ${s} is not in the population (${job.population.numShoppers} shoppers)`);
        // The chunk is a block of the round's summation tree: its 16-shopper chunks summed in order, as RoundSum does in process.
        const parts = chunksOf(chunk.shoppers);
        const block = new RoundSum(model.values.length, parts.length);
        parts.forEach((shoppers, k) => {
          [this.scratch] = block.put(k, computeChunk(job.population, model, job.settings, chunk.round, shoppers, this.scratch))!;
        });
        reply = encodeResult(chunk, block.result());
        this.chunks++;
      }
    } catch (error) {
      if (isRedisFailure(error)) throw error;
      const message = `worker ${this.name}: ${reason(error)}`;
      this.emit({ type: 'failed', jobId: chunk.jobId, step: chunk.step, chunkId: chunk.chunkId, message });
      reply = encodeFailure(chunk, message);
    }
    const answer = this.client.multi();
    // NOMKSTREAM: a job whose runner has closed has no results stream, and must not get one back.
    if (reply) answer.xAddNoMkStream(this.keys.results(chunk.jobId), '*', { r: asBuffer(reply) });
    await answer.xAck(this.keys.chunks, WORKER_GROUP, entry.id).exec();
  }

  private async loadJob(jobId: string): Promise<LoadedJob | undefined> {
    if (this.job?.jobId === jobId) return this.job;
    const bytes = await this.client.get(this.keys.job(jobId));
    if (bytes === null) return undefined;
    const job = decodeJob(bytes);
    const key = JSON.stringify(job.population);
    if (this.population?.key !== key) {
      this.population = undefined; // free the old one before building the new
      this.population = { key, value: await createPopulation(job.population) };
    }
    this.job = { jobId, settings: job.settings, population: this.population.value };
    this.model = undefined;
    this.emit({ type: 'job', jobId, population: this.population.value.name, shoppers: this.population.value.numShoppers });
    return this.job;
  }

  private async loadModel(address: ChunkAddress): Promise<SharedModel | undefined> {
    const key = this.keys.model(address.jobId, address.step);
    if (this.model?.key === key) return this.model.value;
    const bytes = await this.client.get(key);
    if (bytes === null) return undefined;
    this.model = { key, value: decodeModel(bytes) };
    return this.model.value;
  }
}
