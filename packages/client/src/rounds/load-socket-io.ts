import type * as SocketIo from 'socket.io-client';

/** socket.io-client, as `import()` resolves it. */
export type SocketIoModule = typeof SocketIo;

let loading: Promise<SocketIoModule> | undefined;

/**
 * Loads socket.io-client when a device first joins training rounds (consent
 * `contribute`), never before: a page that only recommends does not fetch or
 * parse it, which keeps the client's JavaScript on a shop's page within its
 * budget (issue #16; `scripts/package-client.ts`, and in Node
 * `test/server/secagg-lazy-load.test.ts`). Only type imports of
 * socket.io-client may be static in the client.
 */
export function loadSocketIo(): Promise<SocketIoModule> {
  loading ??= import('socket.io-client').catch((error: unknown) => {
    // A failed load (a flaky network in a browser) is retried by the next start.
    loading = undefined;
    throw error;
  });
  return loading;
}
