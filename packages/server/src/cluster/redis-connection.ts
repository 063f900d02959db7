import { createClient, RESP_TYPES } from 'redis';
import { ServerError } from '../server-error.js';

/**
 * The connections of a cluster node to its Redis, with bulk strings read as
 * Buffers (partial sums are binary).
 *
 * Unlike the simulation cluster's connection (packages/sim's
 * cluster-connection.ts, which fails fast: a half-run simulation round is
 * restarted by whoever supervises it), a server node outlives Redis
 * restarts: it reconnects with backoff for as long as it runs, and commands
 * issued while it is offline fail at once (no offline queue) so that the
 * node's loops see the outage and retry, rather than replaying stale
 * heartbeats or lease renewals later. The helper is duplicated, not shared,
 * because sim depends on server and the two policies differ.
 */
const CONNECT_TIMEOUT_MS = 5_000;
const MAX_RECONNECT_DELAY_MS = 1_000;

/** `established()`: whether the first connection succeeded; until then a failure is final (the start fails and says why). */
function binaryClient(url: string, established: () => boolean) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number, cause: Error) => (established() ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : cause),
    },
  }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
}

export type RedisConnection = ReturnType<typeof binaryClient>;

/** Connects and pings once (a node that cannot reach Redis at start says so and does not start); reconnects by itself afterwards. */
export async function connectRedis(url: string, onError: (error: unknown) => void): Promise<RedisConnection> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ServerError('INVALID_CONFIG', `cluster.url: expected a Redis URL such as redis://127.0.0.1:6379, got ${JSON.stringify(url)}`);
  }
  let established = false;
  const client = binaryClient(url, () => established);
  // Without a listener an 'error' event would crash the process; reconnection is automatic.
  client.on('error', onError);
  try {
    await client.connect();
    await client.ping();
    // From now on (and for its duplicates, which share these options) a lost connection is retried for as long as the node runs.
    established = true;
  } catch (error) {
    client.destroy();
    throw new ServerError('CLUSTER_UNREACHABLE', `cannot reach Redis at ${redact(parsed)}: ${error instanceof Error ? error.message || error.name : String(error)}`);
  }
  return client;
}

/** The URL without its password, for messages and logs. */
export function redact(url: URL): string {
  if (!url.password) return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}
