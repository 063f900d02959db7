import { once } from 'node:events';
import { createConnection, type NetConnectOpts, type Socket as NetSocket } from 'node:net';
import WebSocket from 'ws';
import { MessageKind, PROTOCOL_VERSION, ProtocolEvent } from '@fedrec/core';

/**
 * A socket.io client written by hand over `ws` (engine.io protocol 4, the
 * websocket transport), so that the test owns the TCP socket underneath: it
 * authenticates, declares itself ready (and so joins cohorts), and can then
 * stop reading with `stopReading()` — what a phone that froze, or a client
 * that wants the server to buffer for it, looks like from the server.
 *
 * socket.io-client hides its TCP socket; here it is `tcp`.
 */
export class StalledClient {
  private keepAliveTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly ws: WebSocket,
    readonly tcp: NetSocket,
    /** Socket.io events received while still reading, by name. */
    readonly received: readonly string[],
  ) {}

  /**
   * Connects, completes the engine.io and socket.io handshakes with `token`,
   * waits for the welcome and sends `ready` (eligible). Rejects if the server
   * refuses the connection.
   */
  static async connect(url: string, token: string, options: { readonly localAddress?: string } = {}): Promise<StalledClient> {
    let tcp: NetSocket | undefined;
    const wsUrl = `${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(wsUrl, {
      perMessageDeflate: false,
      // ws hands this to http.request: keep the TCP socket so that the test can pause it.
      createConnection: ((connectOptions: NetConnectOpts) => {
        tcp = createConnection({ ...connectOptions, ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}) });
        return tcp;
      }) as typeof createConnection,
    });
    const received: string[] = [];
    const client = await new Promise<StalledClient>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: HTTP ${res.statusCode}`)));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return; // model attachments: not looked at
        const text = data.toString();
        if (text === '2') ws.send('3'); // engine.io ping → pong, while still reading
        else if (text.startsWith('0')) ws.send(`40${JSON.stringify({ token, protocolVersion: PROTOCOL_VERSION })}`);
        else if (text.startsWith('44')) reject(new Error(`socket.io connect refused: ${text.slice(2)}`));
        else if (text.startsWith('42') || text.startsWith('45')) {
          const name = eventName(text);
          if (name === undefined) return;
          received.push(name);
          if (name === ProtocolEvent.welcome) {
            ws.send(`42${JSON.stringify([ProtocolEvent.ready, { v: PROTOCOL_VERSION, kind: MessageKind.ready, eligible: true }])}`);
            ws.off('error', reject);
            resolve(new StalledClient(ws, tcp!, received));
          }
        }
      });
    });
    ws.on('error', () => undefined); // a reset by the server is expected; the test looks at the server's side
    return client;
  }

  /**
   * Stops reading from the TCP socket: the kernel's receive buffer fills, the
   * window closes, and whatever the server sends from then on stays on the
   * server (in the kernel's send buffer, then in ws and engine.io buffers).
   */
  stopReading(): void {
    this.tcp.pause();
  }

  /**
   * Keeps the session alive while not reading: writes an engine.io pong every
   * `intervalMs` unprompted, which the server takes as an answer to its pings.
   * A client that wants to be buffered for can do this; it is what makes the
   * memory growth unbounded rather than capped by the ping timeout.
   */
  keepAlive(intervalMs: number): void {
    this.keepAliveTimer ??= setInterval(() => {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send('3');
    }, intervalMs);
  }

  /** Tears the TCP connection down from this side. */
  async close(): Promise<void> {
    if (this.keepAliveTimer !== null) clearInterval(this.keepAliveTimer);
    if (this.tcp.destroyed) return;
    const closed = once(this.tcp, 'close');
    this.tcp.destroy();
    await closed;
  }
}

/** The event name of a socket.io EVENT or BINARY_EVENT packet's text: `42["name",…]` or `451-["name",…]`. */
function eventName(text: string): string | undefined {
  const start = text.indexOf('[');
  if (start < 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(text.slice(start));
    return Array.isArray(parsed) && typeof parsed[0] === 'string' ? parsed[0] : undefined;
  } catch {
    return undefined;
  }
}
