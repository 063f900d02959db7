import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Every TCP connection the HTTP server has accepted and not yet closed:
 * plain HTTP ones and those upgraded to WebSocket, which Node's
 * `closeAllConnections()` no longer sees. At the shutdown deadline whatever
 * is left here is destroyed, so a peer that neither reads nor closes cannot
 * hold the process.
 */
export class OpenConnections {
  private readonly sockets = new Set<Socket>();

  constructor(httpServer: HttpServer) {
    httpServer.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Destroys every open connection; returns how many there were. */
  destroyAll(): number {
    const count = this.sockets.size;
    for (const socket of this.sockets) socket.destroy();
    return count;
  }
}
