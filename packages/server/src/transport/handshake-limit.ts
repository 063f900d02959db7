import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { HttpConfig } from '../config/server-config.js';
import { RateLimiter } from '../http/rate-limiter.js';
import { sourceKey } from '../http/source-address.js';
import type { ServerStats } from '../status/server-stats.js';

/** engine.io's `allowRequest` hook: called for each new session's first request, before anything is allocated for it. */
export type AllowRequest = (req: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void) => void;

/**
 * A per-source rate limit on new socket.io sessions (`http.rateLimits.handshake`),
 * as engine.io's `allowRequest`: a refused handshake costs the server no
 * session, no token check and no socket.io middleware. engine.io answers it
 * with 403 (long-polling) or 400 (WebSocket), and clients retry with backoff.
 * Returns undefined when the limit is off.
 *
 * @example
 * new Server(httpServer, { allowRequest: handshakeLimit(config.http, logger, stats) });
 */
export function handshakeLimit(http: HttpConfig, logger: Logger, stats: ServerStats, now?: () => number): AllowRequest | undefined {
  const limit = http.rateLimits.handshake;
  if (limit === false) return undefined;
  const limiter = new RateLimiter(limit, now);
  return (req, callback) => {
    const source = sourceKey(req, http.trustProxy);
    const decision = limiter.take(source);
    if (decision.allowed) {
      callback(null, true);
      return;
    }
    stats.throttled.handshake++;
    if (decision.firstRefusal) logger.warn({ source, retryAfterMs: decision.retryAfterMs }, 'socket.io handshake rate limit reached for this source');
    callback('too many connection attempts from this address', false);
  };
}
