import type { SharedModel } from '@fedrec/core';
import type { Population } from '../population/population.js';
import type { PopulationSpec } from '../population/population-spec.js';
import { computeChunk } from './client-update-chunk.js';
import type { ChunkResult, ClientUpdateSettings, RoundSettings } from './client-update-chunk.js';
import { WorkerPool } from './simulation-workers.js';
import { chunksOf } from './cohort-chunks.js';
import { RoundSum } from './round-sum.js';
import { ClusterExecutor } from './cluster-executor.js';
import type { ClusterSettings } from './cluster-executor.js';
import type { SimulationWorkers, WorkerChannel } from './simulation-workers.js';

/**
 * Chunks a worker may hold at once while the round has plenty left: the
 * next one is already in its queue when it finishes one, so it never waits
 * for the main thread to answer. Near the end of the round a worker gets a
 * chunk only when idle, so that no queued chunk waits behind a busy worker
 * while another has nothing to do.
 */
const CHUNKS_IN_FLIGHT = 2;

/** Computes a round's summed client updates: in process, on worker threads, or on cluster worker processes (cluster-executor.ts). */
export interface UpdateExecutor {
  readonly threads: number;
  computeRound(model: SharedModel, round: RoundSettings, cohort: readonly number[]): Promise<ChunkResult>;
  close(): Promise<void>;
}

export interface UpdateExecutorOptions {
  readonly population: Population;
  /** Needed for worker threads: how they rebuild the population. */
  readonly spec?: PopulationSpec;
  readonly settings: ClientUpdateSettings;
  /** Worker threads; 1 (or no spec) runs in process. */
  readonly threads: number;
  readonly backend?: string;
  /** Started workers to use (and leave running) instead of starting `threads` new ones. */
  readonly workers?: SimulationWorkers;
  /** Run on cluster workers through Redis instead (`threads` and `workers` then do not apply). */
  readonly cluster?: ClusterSettings;
}

export async function createUpdateExecutor(options: UpdateExecutorOptions): Promise<UpdateExecutor> {
  const { spec, workers, cluster } = options;
  if (cluster) {
    if (!spec) throw new Error('a cluster simulation needs a population its workers can rebuild: a synthetic one or a dataset file');
    if (workers) throw new Error('give worker threads or a cluster, not both');
    // The job description workers read is JSON; the hybrid model's feature map and prior are not in it yet.
    if (options.settings.hybrid) throw new Error('a cluster simulation trains matrix factorisation only (so far): run the hybrid model in process or on worker threads');
    return ClusterExecutor.start(cluster, spec, options.settings);
  }
  if (!spec || (!workers && options.threads <= 1)) return inProcessExecutor(options.population, options.settings);
  if (workers && !(workers instanceof WorkerPool)) throw new TypeError('expected workers from startSimulationWorkers');
  const pool = workers ?? (await WorkerPool.start(options.threads, options.backend));
  try {
    await pool.acquire(spec, options.settings);
  } catch (error) {
    if (!workers) await pool.close();
    throw error;
  }
  return new WorkerExecutor(pool, !workers);
}

function inProcessExecutor(population: Population, settings: ClientUpdateSettings): UpdateExecutor {
  let scratch: Float64Array | undefined;
  return {
    threads: 1,
    computeRound: async (model, round, cohort) => {
      const chunks = chunksOf(cohort);
      const total = new RoundSum(model.values.length, chunks.length);
      chunks.forEach((chunk, chunkId) => {
        [scratch] = total.put(chunkId, computeChunk(population, model, settings, round, chunk, scratch))!;
      });
      return total.result();
    },
    close: async () => {},
  };
}

class WorkerExecutor implements UpdateExecutor {
  /** Spent chunk sums, handed back to workers to fill again instead of allocating 8·d bytes a chunk. */
  private readonly scratch: Float64Array[] = [];
  private failed = false;

  constructor(
    private readonly pool: WorkerPool,
    private readonly ownsPool: boolean,
  ) {}

  get threads(): number {
    return this.pool.threads;
  }

  async computeRound(model: SharedModel, round: RoundSettings, cohort: readonly number[]): Promise<ChunkResult> {
    const { channels } = this.pool;
    for (const channel of channels) channel.post({ type: 'model', model });
    const chunks = chunksOf(cohort);
    // Results arrive in any order; the sum adds each as soon as all before
    // it are in, so the main thread sums while the workers still compute.
    const total = new RoundSum(model.values.length, chunks.length);
    let sent = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        // Each worker pulls the next chunk as soon as it is done: load
        // balances shoppers with long and short histories.
        const send = (channel: WorkerChannel) => {
          const chunkId = sent++;
          const scratch = this.scratch.pop();
          channel
            .request({ type: 'chunk', chunkId, round, shoppers: chunks[chunkId]!, scratch }, scratch ? [scratch.buffer as ArrayBuffer] : [])
            .then((message) => {
              if (message.type !== 'chunk' || message.chunkId !== chunkId) throw new Error('simulation worker answered out of turn');
              this.scratch.push(...total.put(chunkId, message.result)!);
              if (total.complete) resolve();
              else if (sent < chunks.length && (channel.outstanding === 0 || chunks.length - sent > channels.length)) send(channel);
            })
            .catch(reject);
        };
        if (chunks.length === 0) resolve();
        for (let k = 0; k < CHUNKS_IN_FLIGHT; k++) for (const channel of channels) if (sent < chunks.length) send(channel);
      });
    } catch (error) {
      this.failed = true;
      throw error;
    }
    return total.result();
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.close();
    else await this.pool.release(this.failed);
  }
}
