import { Worker } from 'node:worker_threads';
import type { PopulationSpec } from '../population/population-spec.js';
import type { ClientUpdateSettings } from './client-update-chunk.js';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.js';

/**
 * Worker threads for fast-mode simulations, reusable from one simulation to
 * the next: thread start-up, module loading, the backend's wasm compile and
 * the JIT warm-up of the training code are paid once, not per run (a fresh
 * worker runs its first few dozen client updates several times slower).
 * Idle workers do not keep the process alive; `close` ends them.
 *
 * With one worker per core, start node with `--single-threaded-gc` (as
 * `fedrec simulate` does): V8's background GC tasks, shared by all threads
 * of a process, otherwise compete with the workers for the cores (2 cores:
 * 1.73–1.76× the 1-thread rate without the option, 1.84–1.89× with it).
 *
 * @example
 * const workers = await startSimulationWorkers({ threads: 4 });
 * try {
 *   for (const z of [0.5, 1, 2]) await runFederatedSimulation({ ...config, privacy: { ...config.privacy, noiseMultiplier: z }, workers });
 * } finally {
 *   await workers.close();
 * }
 */
export interface SimulationWorkers {
  readonly threads: number;
  close(): Promise<void>;
}

export interface SimulationWorkersOptions {
  readonly threads: number;
  /** tfjs backend for the workers (cpu or wasm; default: the first that loads). */
  readonly backend?: string;
}

export async function startSimulationWorkers(options: SimulationWorkersOptions): Promise<SimulationWorkers> {
  if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`expected threads >= 1 and an integer, got ${options.threads}`);
  return WorkerPool.start(options.threads, options.backend);
}

/** @internal The pool behind `SimulationWorkers`, as the update executor drives it. */
export class WorkerPool implements SimulationWorkers {
  private state: 'idle' | 'busy' | 'closed' = 'idle';

  private constructor(readonly channels: readonly WorkerChannel[]) {}

  get threads(): number {
    return this.channels.length;
  }

  static async start(threads: number, backend?: string): Promise<WorkerPool> {
    const pool = new WorkerPool(Array.from({ length: threads }, () => new WorkerChannel(spawnWorker())));
    try {
      await Promise.all(pool.channels.map((c) => c.request({ type: 'init', backend })));
    } catch (error) {
      await pool.close();
      throw new Error(`simulation worker failed to start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    for (const c of pool.channels) c.worker.unref();
    return pool;
  }

  /** Take the pool for one simulation: every worker loads (or keeps) its population. */
  async acquire(spec: PopulationSpec, settings: ClientUpdateSettings): Promise<void> {
    if (this.state !== 'idle') throw new Error(`simulation workers are ${this.state === 'busy' ? 'running another simulation' : 'closed'}`);
    this.state = 'busy';
    for (const c of this.channels) c.worker.ref();
    try {
      await Promise.all(this.channels.map((c) => c.request({ type: 'population', population: spec, settings })));
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** Hand the pool back after a simulation; a failed one closes it (a worker may be mid-chunk). */
  async release(failed: boolean): Promise<void> {
    if (failed) return this.close();
    if (this.state !== 'busy') return;
    this.state = 'idle';
    for (const c of this.channels) c.worker.unref();
  }

  async close(): Promise<void> {
    this.state = 'closed';
    await Promise.all(this.channels.map((c) => c.worker.terminate()));
  }
}

/**
 * One worker and the replies it owes, in order: the worker answers every
 * request but `model` exactly once, in the order it got them.
 */
export class WorkerChannel {
  private readonly waiting: { resolve: (m: WorkerResponse) => void; reject: (e: Error) => void }[] = [];

  constructor(readonly worker: Worker) {
    worker.on('message', (m: WorkerResponse) => {
      const next = this.waiting.shift();
      if (!next) return;
      if (m.type === 'error') next.reject(new Error(`simulation worker failed: ${m.message}`));
      else next.resolve(m);
    });
    worker.on('error', (e: Error) => this.failAll(e));
    worker.on('exit', (code: number) => this.failAll(new Error(`simulation worker exited with code ${code}`)));
  }

  /** Send without expecting a reply (`model`). */
  post(message: WorkerRequest): void {
    this.worker.postMessage(message);
  }

  request(message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerResponse> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(message, transfer);
    });
  }

  get outstanding(): number {
    return this.waiting.length;
  }

  private failAll(error: Error): void {
    for (const w of this.waiting.splice(0)) w.reject(error);
  }
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
