import type { Socket } from 'socket.io';

/**
 * How much the server holds for one client that has not left the process
 * yet, and how to drop a client that has fallen behind.
 *
 * A client that stops reading (a frozen tab, or one that wants us to buffer
 * for it) would otherwise be sent one copy of the model per round: first the
 * kernel's socket buffer fills, then `ws` queues the frames it cannot write,
 * then engine.io queues packets it cannot hand to the transport. Nothing
 * bounds either queue.
 *
 * The fields read here are engine.io 6 and ws 8 internals, not in their
 * typings, so each is checked at runtime; a version that renamed them reads
 * as 0 bytes queued (no client is dropped, as before this limit existed).
 */

/** engine.io's `Socket`: `writeBuffer` holds packets not yet handed to the transport (a long-polling client that stopped polling, or a WebSocket whose previous write has not drained). */
interface EngineSocketInternals {
  readonly writeBuffer?: unknown;
  readonly transport?: { readonly socket?: unknown };
  close(discard?: boolean): void;
}

/** ws's `WebSocket` (engine.io's websocket transport keeps it as `transport.socket`). */
interface WebSocketInternals {
  /** Bytes written to the TCP socket that the kernel has not taken, plus frames queued in ws's sender. */
  readonly bufferedAmount: number;
  terminate(): void;
}

/** The bound when `limits.maxBufferedBytes` is not configured: room for a few invitations, and never under 4 MiB. */
export function defaultMaxBufferedBytes(modelBytes: number): number {
  return Math.max(4 * 1024 * 1024, 4 * modelBytes);
}

/** Bytes queued on the server for `socket` and not yet taken by the kernel. */
export function queuedBytes(socket: Socket): number {
  const engine = socket.conn as unknown as EngineSocketInternals;
  let bytes = 0;
  if (Array.isArray(engine.writeBuffer)) {
    for (const packet of engine.writeBuffer as unknown[]) bytes += packetBytes(packet);
  }
  const ws = webSocketOf(engine);
  if (ws !== null) bytes += ws.bufferedAmount;
  return bytes;
}

/**
 * Drops the connection now, discarding whatever is queued for it: a plain
 * disconnect would first wait for the queue to drain, which for a client
 * that does not read is never. The socket's `disconnect` event follows.
 */
export function cutOff(socket: Socket): void {
  const engine = socket.conn as unknown as EngineSocketInternals;
  const ws = webSocketOf(engine);
  engine.close(true);
  // engine.io closes a WebSocket with a closing handshake, which waits behind the unsent bytes (up to ws's 30 s timer).
  ws?.terminate();
}

function webSocketOf(engine: EngineSocketInternals): WebSocketInternals | null {
  const candidate = engine.transport?.socket as Partial<WebSocketInternals> | undefined;
  if (candidate === undefined || candidate === null) return null;
  return typeof candidate.bufferedAmount === 'number' && typeof candidate.terminate === 'function' ? (candidate as WebSocketInternals) : null;
}

/** An engine.io packet's payload size: a string (text frames) or binary (attachments). */
function packetBytes(packet: unknown): number {
  if (typeof packet !== 'object' || packet === null || !('data' in packet)) return 0;
  const { data } = packet;
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}
