/**
 * The Redis keys of a simulation cluster, all under one prefix (so tests and
 * several clusters can share a Redis):
 * - `chunks`: the stream of chunk messages, read by the `workers` group;
 * - `job:<id>`: a job's description (population spec, settings);
 * - `model:<id>:<step>`: the model of a job's round step, stored once;
 * - `results:<id>`: the stream workers add a job's results and failures to.
 */
export const DEFAULT_CLUSTER_PREFIX = 'fedrec:sim';

/** The consumer group every worker reads chunks through. */
export const WORKER_GROUP = 'workers';

export interface ClusterKeys {
  readonly chunks: string;
  job(jobId: string): string;
  model(jobId: string, step: number): string;
  results(jobId: string): string;
}

export function clusterKeys(prefix: string = DEFAULT_CLUSTER_PREFIX): ClusterKeys {
  if (!/^[A-Za-z0-9:_.-]{1,100}$/.test(prefix)) throw new RangeError(`expected a key prefix of 1–100 letters, digits or :_.-, got ${JSON.stringify(prefix)}`);
  return {
    chunks: `${prefix}:chunks`,
    job: (jobId) => `${prefix}:job:${jobId}`,
    model: (jobId, step) => `${prefix}:model:${jobId}:${step}`,
    results: (jobId) => `${prefix}:results:${jobId}`,
  };
}

/** Keys the runner sets expire after this, should it die before deleting them. */
export const CLUSTER_KEY_TTL_SECONDS = 24 * 60 * 60;
