import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ResolvedServerConfig } from '../config/server-config.js';
import { settlesWithin } from '../deadline.js';
import { ServerError } from '../server-error.js';
import type { ServerStatus } from '../status/server-status.js';
import type { RunningServer } from './assemble-server.js';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, for clients and HTTP requests. */
  readonly url: string;
}

/**
 * The server's life: new → starting → running → closing → closed, each
 * step once. `listen()` assembles the server, checkpoints a fresh model
 * before anyone can fetch it, listens, then lets rounds open; `close()`
 * finishes the open round first, while its members can still hear how it
 * ended, and holds everything to `shutdownTimeoutMs`.
 */
export class ServerLifecycle {
  #state: ServerStatus['state'] = 'new';
  #running: RunningServer | null = null;
  #address: ServerAddress | null = null;
  #starting: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: ResolvedServerConfig,
    private readonly logger: Logger,
    private readonly assemble: () => Promise<RunningServer>,
  ) {}

  get state(): ServerStatus['state'] {
    return this.#state;
  }

  /** Null until listening. */
  get address(): ServerAddress | null {
    return this.#address;
  }

  /** What the server runs on, once assembled (and after it has closed); null before. */
  get running(): RunningServer | null {
    return this.#running;
  }

  /** The running server, or BAD_LIFECYCLE before `listen()`. */
  need(): RunningServer {
    if (this.#running === null) throw new ServerError('BAD_LIFECYCLE', 'the server is not running: call listen() first');
    return this.#running;
  }

  listen(): Promise<ServerAddress> {
    if (this.#state !== 'new') return Promise.reject(new ServerError('BAD_LIFECYCLE', `listen() called on a ${this.#state} server`));
    this.#state = 'starting';
    const started = this.#start();
    this.#starting = started.catch(() => undefined);
    return started;
  }

  async #start(): Promise<ServerAddress> {
    const { config, logger } = this;
    try {
      const running = await this.assemble();
      this.#running = running;
      const { httpServer, coordinator, gateway, model } = running;
      if (running.fresh) await running.commit(null);
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const bound = httpServer.address() as AddressInfo;
      const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      const address = { host: bound.address, port: bound.port, url: `http://${host}:${bound.port}` };
      this.#address = address;
      // A cluster node joins once it can take shoppers: rounds are announced to it from then on.
      await running.cluster?.start();
      this.#state = 'running';
      coordinator.start();
      logger.info({ url: address.url, modelVersion: model.version, maxUpdateBytes: gateway.maxUpdateBytes }, 'listening');
      return address;
    } catch (error) {
      this.#state = 'closed';
      if (this.#running !== null) {
        await this.#running.cluster?.stop().catch(() => undefined);
        await this.#running.gateway.close(performance.now() + config.shutdownTimeoutMs).catch(() => undefined);
      }
      this.#running = null;
      throw error;
    }
  }

  async close(): Promise<void> {
    const { config, logger } = this;
    if (this.#state === 'new') {
      this.#state = 'closed';
      return;
    }
    // A close() during startup waits for it, then closes what it started.
    if (this.#state === 'starting') await this.#starting;
    if (this.#state !== 'running') return;
    this.#state = 'closing';
    const deadline = performance.now() + config.shutdownTimeoutMs;
    const { coordinator, gateway, strikes, cluster } = this.need();
    // The open round first, while its members are still connected to hear how it ended.
    const stopped = coordinator.stop();
    const checkpointed = await settlesWithin(stopped, deadline - performance.now());
    await gateway.close(deadline);
    // After the open round's part is posted: releases the lease (if held) and leaves the cluster.
    await cluster?.stop();
    await strikes.flush();
    this.#state = 'closed';
    if (!checkpointed) {
      throw new ServerError('SHUTDOWN_TIMEOUT', `the open round's checkpoint was not written within shutdownTimeoutMs (${config.shutdownTimeoutMs} ms)`);
    }
    await stopped; // a failed checkpoint is reported now that the network side is closed
    logger.info('closed');
  }
}
