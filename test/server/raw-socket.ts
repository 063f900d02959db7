import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '@fedrec/core';

/**
 * A bare socket.io client that speaks (or deliberately mis-speaks) the
 * protocol by hand: how the tests play a malicious or broken client.
 */
export function rawSocket(url: string, auth: unknown): Socket {
  return io(url, { forceNew: true, transports: ['websocket'], reconnection: false, auth: auth as Record<string, unknown> });
}

export function rawAuth(token: string): { token: string; protocolVersion: number } {
  return { token, protocolVersion: PROTOCOL_VERSION };
}

/** Resolves with the arguments of the next `event` on `socket` that satisfies `match`. */
export function nextSocketEvent(socket: Socket, event: string, match: (...args: unknown[]) => boolean = () => true, timeoutMs = 20_000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`timed out waiting for socket event '${event}'`));
    }, timeoutMs);
    const listener = (...args: unknown[]): void => {
      if (!match(...args)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(args);
    };
    socket.on(event, listener);
  });
}

/** Collects every payload of `event` into an array, for assertions on order. */
export function collect(socket: Socket, event: string): unknown[] {
  const seen: unknown[] = [];
  socket.on(event, (payload: unknown) => seen.push(payload));
  return seen;
}

/** Resolves once `list` holds at least `count` entries (checked on each of `socket`'s events). */
export function untilCount(socket: Socket, list: readonly unknown[], count: number, timeoutMs = 20_000): Promise<void> {
  if (list.length >= count) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.offAny(check);
      reject(new Error(`timed out: ${list.length} of ${count} messages`));
    }, timeoutMs);
    const check = (): void => {
      // Listeners registered with on() run before onAny ones, so the list is already updated here.
      if (list.length < count) return;
      clearTimeout(timer);
      socket.offAny(check);
      resolve();
    };
    socket.onAny(check);
  });
}
