import { ErrorReply } from 'redis';
import type { ClusterClient } from './cluster-connection.js';
import { WORKER_GROUP } from './cluster-keys.js';

/**
 * A worker counts as connected while it has read or claimed chunks within
 * this window: idle workers block on the stream for a second at a time,
 * busy ones read again after each chunk.
 */
const WORKER_SEEN_MS = 5_000;

/** Creates the chunk stream and its workers' group unless they exist (runner and workers may start in any order). */
export async function ensureWorkerGroup(client: ClusterClient, chunks: string): Promise<void> {
  try {
    await client.xGroupCreate(chunks, WORKER_GROUP, '$', { MKSTREAM: true });
  } catch (error) {
    if (!(error instanceof ErrorReply && error.message.startsWith('BUSYGROUP'))) throw error;
  }
}

/** Workers of the group seen within the last few seconds, by Redis's own clock (no clock skew between machines). */
export async function liveWorkers(client: ClusterClient, chunks: string): Promise<number> {
  const consumers = await client.xInfoConsumers(chunks, WORKER_GROUP);
  // `idle` counts from the consumer's last attempt to read or claim, which an idle worker makes every second; `inactive` (Redis 7.2+) only from its last success.
  return consumers.filter((c) => Number(c.idle) < WORKER_SEEN_MS).length;
}
