import { Worker } from 'node:worker_threads';
import type { SharedModel } from '@fedrec/core';
import type { Population } from '../population/population.js';
import type { PopulationSpec } from '../population/population-spec.js';
import { computeChunk } from './client-update-chunk.js';
import type { ChunkResult, ClientUpdateSettings, RoundSettings } from './client-update-chunk.js';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.js';

/**
 * Shoppers per unit of work. The cohort is always cut into the same chunks
 * and their sums are added in chunk order, so a run gives the same numbers
 * on 1 thread or 16 (float addition is not associative).
 */
export const CHUNK_SIZE = 16;

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
}

export async function createUpdateExecutor(options: UpdateExecutorOptions): Promise<UpdateExecutor> {
  if (options.threads <= 1 || !options.spec) return inProcessExecutor(options.population, options.settings);
  return WorkerExecutor.start(options.spec, options.settings, options.threads, options.backend);
}

function chunksOf(cohort: readonly number[]): Int32Array[] {
  const chunks: Int32Array[] = [];
  for (let i = 0; i < cohort.length; i += CHUNK_SIZE) chunks.push(Int32Array.from(cohort.slice(i, i + CHUNK_SIZE)));
  return chunks;
}

/** Add chunk results in order. */
function combine(length: number, results: readonly ChunkResult[]): ChunkResult {
  const sum = new Float64Array(length);
  let contributors = 0;
  let clipped = 0;
  let unclipped = 0;
  let normSum = 0;
  for (const r of results) {
    for (let i = 0; i < length; i++) sum[i]! += r.sum[i]!;
    contributors += r.contributors;
    clipped += r.clipped;
    unclipped += r.unclipped;
    normSum += r.normSum;
  }
  return { sum, contributors, clipped, unclipped, normSum };
}

function inProcessExecutor(population: Population, settings: ClientUpdateSettings): UpdateExecutor {
  return {
    threads: 1,
    computeRound: async (model, round, cohort) =>
      combine(
        model.values.length,
        chunksOf(cohort).map((chunk) => computeChunk(population, model, settings, round, chunk)),
      ),
    close: async () => {},
  };
}

class WorkerExecutor implements UpdateExecutor {
  private constructor(private readonly workers: Worker[]) {}

  get threads(): number {
    return this.workers.length;
  }

  static async start(spec: PopulationSpec, settings: ClientUpdateSettings, threads: number, backend?: string): Promise<WorkerExecutor> {
    const workers = Array.from({ length: threads }, () => spawnWorker());
    const executor = new WorkerExecutor(workers);
    try {
      await Promise.all(
        workers.map((worker) => {
          const ready = nextMessage(worker);
          worker.postMessage({ type: 'init', population: spec, settings, backend } satisfies WorkerRequest);
          return ready.then((m) => {
            if (m.type !== 'ready') throw new Error(`simulation worker failed to start: ${m.type === 'error' ? m.message : m.type}`);
          });
        }),
      );
    } catch (error) {
      await executor.close();
      throw error;
    }
    return executor;
  }

  async computeRound(model: SharedModel, round: RoundSettings, cohort: readonly number[]): Promise<ChunkResult> {
    for (const worker of this.workers) worker.postMessage({ type: 'model', model } satisfies WorkerRequest);
    const chunks = chunksOf(cohort);
    const results: ChunkResult[] = new Array(chunks.length);
    let next = 0;
    // Each worker pulls the next chunk as soon as it is done: load balances
    // shoppers with long and short histories.
    const drive = async (worker: Worker): Promise<void> => {
      while (next < chunks.length) {
        const chunkId = next++;
        const reply = nextMessage(worker);
        worker.postMessage({ type: 'chunk', chunkId, round, shoppers: chunks[chunkId]! } satisfies WorkerRequest);
        const message = await reply;
        if (message.type === 'error') throw new Error(`simulation worker failed: ${message.message}`);
        if (message.type !== 'chunk' || message.chunkId !== chunkId) throw new Error('simulation worker answered out of turn');
        results[chunkId] = message.result;
      }
    };
    await Promise.all(this.workers.map(drive));
    return combine(model.values.length, results);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function nextMessage(worker: Worker): Promise<WorkerResponse> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: WorkerResponse) => {
      cleanup();
      resolve(m);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`simulation worker exited with code ${code}`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * Start a worker on the built JS, or — when running from TypeScript sources
 * (tests, `tsx`) — on the .ts file through tsx's loader.
 */
function spawnWorker(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './simulation-worker.ts' : './simulation-worker.js', import.meta.url);
  if (!fromSource) return new Worker(entry);
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, execArgv: ['--conditions=source'] });
}
