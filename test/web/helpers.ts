import type { EventEmitter } from 'node:events';
import type { ShopperClient, ShopperClientEvents } from '@fedrec/client';
import type { FedRecServer, FedRecServerEvents, FedRecServerOptions } from '@fedrec/server';
import { createServer } from '@fedrec/server';

/** Everything a test started, closed in reverse order by `cleanup()`. */
export class Resources {
  private readonly closers: (() => Promise<void> | void)[] = [];

  add(close: () => Promise<void> | void): void {
    this.closers.push(close);
  }

  async cleanup(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
  }
}

/** A listening server on 127.0.0.1 with a random port, closed by `resources.cleanup()`. */
export async function startServer(resources: Resources, options: FedRecServerOptions): Promise<FedRecServer> {
  const server = createServer({ host: '127.0.0.1', port: 0, ...options });
  resources.add(() => server.close());
  await server.listen();
  return server;
}

/** Resolves with the next matching server event. Set up before triggering it. */
export function nextServerEvent<K extends keyof FedRecServerEvents>(
  server: FedRecServer,
  event: K,
  match: (payload: FedRecServerEvents[K][0]) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<FedRecServerEvents[K][0]> {
  const emitter = server.events as unknown as EventEmitter;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out waiting for server event '${event}'`));
    }, timeoutMs);
    const listener = (payload: FedRecServerEvents[K][0]): void => {
      if (!match(payload)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(payload);
    };
    emitter.on(event, listener);
  });
}

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
