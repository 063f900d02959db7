import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * Forwards a request to the aggregation server, so the page talks to one
 * origin only (`GET /model`, `POST /enrol` and socket.io). The aggregation
 * server sends no CORS headers; behind one origin it needs none.
 */
export function proxyRequest(target: { host: string; port: number }, req: IncomingMessage, res: ServerResponse): void {
  const upstream = request({ host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('aggregation server unavailable');
  });
  req.pipe(upstream);
}

/** Forwards a WebSocket upgrade byte for byte (socket.io's transport). */
export function proxyUpgrade(target: { host: string; port: number }, req: IncomingMessage, client: Duplex, head: Buffer): void {
  const upstream: Socket = connect(target.port, target.host, () => {
    const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  const close = (): void => {
    upstream.destroy();
    client.destroy();
  };
  upstream.on('error', close);
  client.on('error', close);
  upstream.on('close', close);
  client.on('close', close);
}
