import { runClusterWorker, ClusterConnectionError } from '@fedrec/sim';
import type { ClusterWorkerEvent } from '@fedrec/sim';
import { selectNodeBackend } from '@fedrec/client/node';
import { RunError } from '../run-error.js';
import { parseNumber } from '../parse-options.js';

/** The flags of `fedrec worker`, as commander gives them. */
export interface WorkerOptions {
  cluster: string;
  clusterPrefix?: string;
  claimIdle?: string;
  backend?: string;
  json?: boolean;
}

/**
 * Runs a cluster worker until SIGINT or SIGTERM (which let it finish the
 * chunk in hand, then leave the group). Progress goes to `log` (stderr);
 * with --json every event is also one JSON line on `out` (stdout).
 */
export async function runWorkerCommand(options: WorkerOptions, log: (line: string) => void, out: (json: string) => void): Promise<void> {
  const claimIdleMs = parseNumber('--claim-idle', options.claimIdle ?? '10000', { min: 1, integer: true });
  await selectNodeBackend({ force: options.backend, log });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  // `on`, not `once`: a second signal (the launcher forwards SIGTERM, a terminal sends SIGINT to both) must not kill the worker mid-chunk.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const onEvent = (event: ClusterWorkerEvent) => {
    if (options.json) out(JSON.stringify(event));
    const line = describe(event, options);
    if (line) log(line);
  };
  try {
    await runClusterWorker({ url: options.cluster, prefix: options.clusterPrefix, claimIdleMs, signal: stop.signal, onEvent });
  } catch (error) {
    if (error instanceof ClusterConnectionError || error instanceof RangeError) throw new RunError(error.message);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function describe(event: ClusterWorkerEvent, options: WorkerOptions): string | undefined {
  switch (event.type) {
    case 'connected':
      return `worker ${event.worker} connected to ${options.cluster} (prefix ${options.clusterPrefix ?? 'fedrec:sim'}), waiting for chunks`;
    case 'job':
      return `job ${event.jobId}: ${event.population}, ${event.shoppers} shoppers`;
    case 'claimed':
      return `claimed chunk ${event.chunkId} of round step ${event.step} from a worker that stopped answering`;
    case 'failed':
      return `chunk ${event.chunkId} of round step ${event.step} failed: ${event.message}`;
    case 'dropped':
      return `dropped ${event.reason}`;
    case 'stopped':
      return `worker ${event.worker} stopped after ${event.chunks} chunks`;
  }
}
