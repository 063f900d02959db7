import type { Logger } from 'pino';
import type { FedRecServer } from './create-server.js';

export interface ShutdownOptions {
  readonly signals?: readonly NodeJS.Signals[];
  readonly logger?: Logger;
  /** Called with the exit code once the server has closed. Default: `process.exit`. */
  readonly exit?: (code: number) => void;
}

/**
 * Time past `shutdownTimeoutMs` after which the process exits even if
 * `close()` has not settled. close() is bounded by itself; this is the
 * backstop should anything in it still hang.
 */
const BACKSTOP_MS = 5_000;

/**
 * Closes the server cleanly on SIGTERM (and SIGINT): the open round is
 * finished with the updates already in (or abandoned if too few), its
 * checkpoint is written, clients are disconnected, and then the process
 * exits — 0 if all of that happened, 1 otherwise; within the server's
 * `shutdownTimeoutMs` (plus a backstop) whatever clients do. A second signal
 * exits at once. Returns a function that removes the handlers.
 */
export function installShutdownHandlers(server: FedRecServer, options: ShutdownOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      options.logger?.warn({ signal }, 'second signal: exiting without a clean shutdown');
      exit(1);
      return;
    }
    shuttingDown = true;
    options.logger?.info({ signal }, 'shutting down');
    const backstop = setTimeout(() => {
      options.logger?.error({ shutdownTimeoutMs: server.config.shutdownTimeoutMs }, 'shutdown did not finish in time: exiting');
      exit(1);
    }, server.config.shutdownTimeoutMs + BACKSTOP_MS);
    backstop.unref();
    server.close().then(
      () => {
        clearTimeout(backstop);
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(backstop);
        options.logger?.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
