import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Resources, startServer } from '../server/helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

/** A raw TCP connection to the server, with everything it receives. */
async function rawConnection(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<unknown> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  resources.add(() => void socket.destroy());
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  return { socket, received: () => text, closed };
}

/** A pino logger that keeps every line, to check levels. */
function capturingLogger(): { logger: Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

describe('the HTTP edge', () => {
  it('closes a connection whose headers do not arrive within http.headersTimeoutMs, with 408', async () => {
    const server = await startServer(resources, { http: { headersTimeoutMs: 300, requestTimeoutMs: 1_000 } });
    const { socket, received, closed } = await rawConnection(server.address!.port);
    socket.write('GET /status HTTP/1.1\r\nHost: x\r\n');
    await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection whose body trickles in for longer than http.requestTimeoutMs', async () => {
    const server = await startServer(resources, { http: { headersTimeoutMs: 300, requestTimeoutMs: 1_000 } });
    const { socket, closed } = await rawConnection(server.address!.port);
    const length = 100_000;
    socket.write(`POST /enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
    // One byte every 20 ms: the whole body would take half an hour.
    let sent = 0;
    const trickle = setInterval(() => {
      if (socket.writable) socket.write('x');
      sent++;
    }, 20);
    resources.add(() => clearInterval(trickle));
    await closed;
    expect(sent).toBeLessThan(length);
  });

  it('refuses connections beyond http.maxConnections at once, and accepts again once one closes', async () => {
    const server = await startServer(resources, { http: { maxConnections: 3 } });
    const { port } = server.address!;
    const held = [await rawConnection(port), await rawConnection(port), await rawConnection(port)];
    // Each held connection is known to the server once it has answered on it.
    for (const { socket, received } of held) {
      socket.write('GET /status HTTP/1.1\r\nHost: x\r\n\r\n');
      while (!received().includes('\r\n\r\n')) await once(socket, 'data');
    }
    const refused = await rawConnection(port);
    refused.socket.write('GET /status HTTP/1.1\r\nHost: x\r\n\r\n');
    await refused.closed;
    expect(refused.received()).toBe('');
    expect(server.status().throttled.connectionCap).toBe(1);

    held[0]!.socket.destroy();
    await held[0]!.closed;
    const admitted = await fetch(new URL('/status', server.address!.url));
    expect(admitted.status).toBe(200);
  });

  it('answers malformed requests with 400 and logs them at warn, never at error', async () => {
    const { logger, lines } = capturingLogger();
    const server = await startServer(resources, { logger });
    const { port } = server.address!;
    // A request target Node accepts but URL parsing does not, and a request line that is not HTTP at all.
    const badTarget = await rawConnection(port);
    badTarget.socket.write('GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await badTarget.closed;
    expect(badTarget.received()).toMatch(/^HTTP\/1\.1 400 /);
    const garbage = await rawConnection(port);
    garbage.socket.write('HELLO THERE\r\n\r\n');
    await garbage.closed;
    expect(garbage.received()).toMatch(/^HTTP\/1\.1 400 /);

    const warnings = lines.filter((line) => line.level === 40).map((line) => line.msg);
    expect(warnings).toContain('malformed request target refused');
    expect(warnings).toContain('malformed HTTP request refused');
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
  });
});
