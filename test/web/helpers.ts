import type { ShopperClient, ShopperClientEvents } from '@fedrec/client';

// Servers and their events: the same helpers the server scenarios use.
export { Resources, startServer, nextServerEvent } from '../server/helpers.js';

/** Resolves with the next matching event of a shopper client. */
export function nextShopperEvent<K extends keyof ShopperClientEvents>(
  client: ShopperClient,
  event: K,
  match: (payload: ShopperClientEvents[K]) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<ShopperClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`timed out waiting for shopper event '${event}'`));
    }, timeoutMs);
    const listener = (payload: ShopperClientEvents[K]): void => {
      if (!match(payload)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(payload);
    };
    client.on(event, listener);
  });
}
