import { createClient, RESP_TYPES, ErrorReply, SocketClosedUnexpectedlyError, ClientClosedError, ClientOfflineError, ConnectionTimeoutError, SocketTimeoutError } from 'redis';

/**
 * A connection to the simulation cluster's Redis, with bulk strings read as
 * Buffers (every message is binary). It fails fast and clearly instead of
 * waiting: connecting gives up after `CONNECT_TIMEOUT_MS`, and a connection
 * that drops is not retried — the runner or worker stops with the reason
 * (a half-run round cannot be resumed on a new connection by retrying
 * commands; the worker is restarted by whatever supervises it).
 */
const CONNECT_TIMEOUT_MS = 5_000;

export class ClusterConnectionError extends Error {
  override readonly name = 'ClusterConnectionError';
}

function binaryClient(url: string) {
  return createClient({ url, socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false } }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
}

export type ClusterClient = ReturnType<typeof binaryClient>;

/** Checks the URL's form, connects and pings; any failure is a ClusterConnectionError naming the URL. */
export async function connectCluster(url: string): Promise<ClusterClient> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ClusterConnectionError(`expected a Redis URL such as redis://127.0.0.1:6379, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new ClusterConnectionError(`expected a redis:// or rediss:// URL, got ${JSON.stringify(url)}`);
  const client = binaryClient(url);
  // Without a listener an 'error' event would crash the process; the failed command reports it instead.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.destroy();
    throw new ClusterConnectionError(`cannot reach Redis at ${redact(parsed)}: ${reason(error)}`, { cause: error });
  }
  return client;
}

/** The error's own words, or the first of an AggregateError's (a refused connection on both IPv4 and IPv6). */
export function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** The URL without its password, for messages and logs. */
export function redact(url: URL): string {
  if (!url.password) return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

/** Socket errors of a connection to Redis (not, say, ENOENT from a dataset file a worker could not read). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Errors of the connection or of Redis itself, as opposed to the caller's own. */
export function isRedisFailure(error: unknown): boolean {
  return (
    error instanceof ErrorReply ||
    error instanceof SocketClosedUnexpectedlyError ||
    error instanceof ClientClosedError ||
    error instanceof ClientOfflineError ||
    error instanceof ConnectionTimeoutError ||
    error instanceof SocketTimeoutError ||
    (error instanceof Error && 'code' in error && typeof error.code === 'string' && NETWORK_CODES.has(error.code))
  );
}

/** A Buffer over the same memory (no copy: a result is hundreds of kilobytes, sent once). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
