import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import { connectCluster } from '../runner/cluster-connection.js';
import type { ClusterClient } from '../runner/cluster-connection.js';

/** The Redis the project's machines run (`.ci/run` starts one if none answers). */
export const TEST_REDIS_URL = process.env['FEDREC_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';

/**
 * A key prefix of its own for each test, and a client; afterwards every key
 * under the prefix is deleted, so tests share a Redis with anything else.
 */
export function useRedisPrefix(): { readonly prefix: string; readonly client: ClusterClient } {
  const state: { prefix: string; client: ClusterClient | undefined } = { prefix: '', client: undefined };
  beforeEach(async () => {
    state.prefix = `fedrec-test:${randomUUID()}`;
    state.client = await connectCluster(TEST_REDIS_URL);
  });
  afterEach(async () => {
    const client = state.client!;
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${state.prefix}:*`, COUNT: 1000 })) keys.push(...batch.map(String));
    if (keys.length > 0) await client.del(keys);
    await client.close();
  });
  return {
    get prefix() {
      return state.prefix;
    },
    get client() {
      return state.client!;
    },
  };
}
