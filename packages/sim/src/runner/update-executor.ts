import type { SharedModel } from '@fedrec/core';
import type { Population } from '../population/population.js';
import type { PopulationSpec } from '../population/population-spec.js';
import { computeChunk } from './client-update-chunk.js';
import type { ChunkResult, ClientUpdateSettings, RoundSettings } from './client-update-chunk.js';
import { WorkerPool } from './simulation-workers.js';
import type { SimulationWorkers, WorkerChannel } from './simulation-workers.js';

/**
 * Shoppers per unit of work. The cohort is always cut into the same chunks
 * and their sums are added in chunk order, so a run gives the same numbers
 * on 1 thread or 16 (float addition is not associative).
 */
export const CHUNK_SIZE = 16;

/**
 * Chunks a worker may hold at once while the round has plenty left: the
 * next one is already in its queue when it finishes one, so it never waits
 * for the main thread to answer. Near the end of the round a worker gets a
 * chunk only when idle, so that no queued chunk waits behind a busy worker
 * while another has nothing to do.
 */
const CHUNKS_IN_FLIGHT = 2;

/** Computes a round's summed client updates, in process or on worker threads. */
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
}

export async function createUpdateExecutor(options: UpdateExecutorOptions): Promise<UpdateExecutor> {
  const { spec, workers } = options;
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

function chunksOf(cohort: readonly number[]): Int32Array[] {
  const chunks: Int32Array[] = [];
  for (let i = 0; i < cohort.length; i += CHUNK_SIZE) chunks.push(Int32Array.from(cohort.slice(i, i + CHUNK_SIZE)));
  return chunks;
}

/** A round's running total: chunk results added in chunk order. */
class RoundSum {
  readonly sum: Float64Array;
  private contributors = 0;
  private clipped = 0;
  private unclipped = 0;
  private normSum = 0;

  constructor(length: number) {
    this.sum = new Float64Array(length);
  }

  add(r: ChunkResult): void {
    addInto(this.sum, r.sum);
    this.contributors += r.contributors;
    this.clipped += r.clipped;
    this.unclipped += r.unclipped;
    this.normSum += r.normSum;
  }

  result(): ChunkResult {
    return { sum: this.sum, contributors: this.contributors, clipped: this.clipped, unclipped: this.unclipped, normSum: this.normSum };
  }
}

/** sum += part, element-wise (a function of its own: one monomorphic loop). */
function addInto(sum: Float64Array, part: Float64Array): void {
  for (let i = 0; i < sum.length; i++) sum[i]! += part[i]!;
}

function inProcessExecutor(population: Population, settings: ClientUpdateSettings): UpdateExecutor {
  let scratch: Float64Array | undefined;
  return {
    threads: 1,
    computeRound: async (model, round, cohort) => {
      const total = new RoundSum(model.values.length);
      for (const chunk of chunksOf(cohort)) {
        const result = computeChunk(population, model, settings, round, chunk, scratch);
        total.add(result);
        scratch = result.sum;
      }
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
    const total = new RoundSum(model.values.length);
    // Results arrive in any order; each is added as soon as all before it
    // are in, so the main thread sums while the workers still compute.
    const arrived: (ChunkResult | undefined)[] = new Array(chunks.length);
    let added = 0;
    let sent = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const addArrived = () => {
          for (let r = arrived[added]; r !== undefined; r = arrived[added]) {
            total.add(r);
            this.scratch.push(r.sum);
            arrived[added++] = undefined;
          }
        };
        // Each worker pulls the next chunk as soon as it is done: load
        // balances shoppers with long and short histories.
        const send = (channel: WorkerChannel) => {
          const chunkId = sent++;
          const scratch = this.scratch.pop();
          channel
            .request({ type: 'chunk', chunkId, round, shoppers: chunks[chunkId]!, scratch }, scratch ? [scratch.buffer as ArrayBuffer] : [])
            .then((message) => {
              if (message.type !== 'chunk' || message.chunkId !== chunkId) throw new Error('simulation worker answered out of turn');
              arrived[chunkId] = message.result;
              addArrived();
              if (added === chunks.length) resolve();
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
