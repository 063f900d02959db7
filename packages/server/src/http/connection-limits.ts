import { STATUS_CODES, type Server as HttpServer, type ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { HttpConfig } from '../config/server-config.js';
import { ThrottledWarning } from '../logging/throttled-warning.js';
import type { ServerStats } from '../status/server-stats.js';
import { addressKey } from './source-address.js';

/**
 * Options for `http.createServer`: the header and request timeouts, and how
 * often Node checks them. Node's default check interval is 30 s, which would
 * let a connection that never finishes its headers live 30 s past
 * `headersTimeoutMs`.
 */
export function httpServerOptions(http: HttpConfig): ServerOptions {
  return {
    headersTimeout: http.headersTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, http.headersTimeoutMs),
  };
}

/**
 * Caps open connections at `http.maxConnections` and answers requests Node
 * cannot parse (or that ran out of time) itself: 400, 431 or 408, then the
 * connection is closed. Malformed requests are logged at warn (throttled),
 * timeouts at info: either is the client's doing, not a server error.
 */
export function limitConnections(httpServer: HttpServer, http: HttpConfig, logger: Logger, stats: ServerStats): void {
  httpServer.maxConnections = http.maxConnections;
  const dropped = new ThrottledWarning(logger, `connection refused: ${http.maxConnections} connections open (http.maxConnections)`);
  httpServer.on('drop', (data?: { remoteAddress?: string }) => {
    stats.throttled.connectionCap++;
    dropped.warn({ source: data?.remoteAddress !== undefined ? addressKey(data.remoteAddress) : 'unknown' });
  });

  const malformed = new ThrottledWarning(logger, 'malformed HTTP request refused');
  httpServer.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const code = error.code ?? 'UNKNOWN';
    const source = addressKey((socket as Socket).remoteAddress ?? 'unknown');
    // A reset or a half-closed socket: there is nobody to answer.
    if (code === 'ECONNRESET' || !socket.writable) {
      logger.debug({ code, source }, 'HTTP connection ended mid-request');
      socket.destroy();
      return;
    }
    const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    if (status === 408) logger.info({ source }, 'HTTP request timed out (http.headersTimeoutMs / http.requestTimeoutMs)');
    else malformed.warn({ code, source });
    // As Node's own handler does: a minimal response, then the connection is closed.
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });
}
