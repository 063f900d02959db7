/**
 * `fedrec server`: run the aggregation server.
 *
 *   fedrec server [--config FILE] [--port N] [--host H] [--model-dir DIR] [--items N --dim D] [--log-level L]
 *
 * The JSON config file is validated against the server's schema (see
 * @fedrec/server's `serverConfigSchema`); flags override its fields. Every bad
 * field is reported on its own line and the command exits with code 2.
 * SIGTERM / SIGINT finish (or abandon) the open round, write its checkpoint
 * and exit 0.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ServerError, createServer, installShutdownHandlers, parseServerConfig } from '@fedrec/server';
import type { ResolvedServerConfig } from '@fedrec/server';
import { RunError } from '../run-error.js';
import { UsageError } from '../usage-error.js';
import { parseNumber } from '../parse-options.js';

export interface ServerCommandOptions {
  config?: string;
  port?: string;
  host?: string;
  modelDir?: string;
  catalogue?: string;
  items?: string;
  dim?: string;
  logLevel?: string;
}

/** Which flag sets which config field, so an error about a field can name the flag too. */
const FLAG_FOR_FIELD: Readonly<Record<string, string>> = {
  port: '--port',
  host: '--host',
  modelDir: '--model-dir',
  catalogueFile: '--catalogue',
  'model.numItems': '--items',
  'model.dim': '--dim',
  logLevel: '--log-level',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readConfigFile(path: string, read: (path: string) => Promise<string>): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await read(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`--config: cannot read ${path} (${code})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--config: ${path} is not valid JSON`);
  }
  if (!isRecord(parsed)) throw new UsageError(`--config: ${path} must hold a JSON object`);
  return parsed;
}

/**
 * The server configuration the command line asks for: the config file (if
 * any) with flags laid over it, validated. Throws UsageError listing every
 * bad field.
 */
export async function resolveServerCommandConfig(
  options: ServerCommandOptions,
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<ResolvedServerConfig> {
  const raw: Record<string, unknown> = options.config !== undefined ? await readConfigFile(options.config, read) : {};
  if (options.port !== undefined) raw.port = parseNumber('--port', options.port, { min: 0, max: 65_535, integer: true });
  if (options.host !== undefined) raw.host = options.host;
  if (options.modelDir !== undefined) raw.modelDir = options.modelDir;
  if (options.catalogue !== undefined) raw.catalogueFile = options.catalogue;
  if (options.logLevel !== undefined) raw.logLevel = options.logLevel;
  if (options.items !== undefined || options.dim !== undefined) {
    const model = isRecord(raw.model) ? { ...raw.model } : {};
    if (options.items !== undefined) model.numItems = parseNumber('--items', options.items, { min: 1, integer: true });
    if (options.dim !== undefined) model.dim = parseNumber('--dim', options.dim, { min: 1, integer: true });
    raw.model = model;
  }
  const result = parseServerConfig(raw);
  if (!result.ok) {
    const lines = result.issues.map(({ path, message }) => {
      const flag = FLAG_FOR_FIELD[path];
      return `${path || '(config)'}${flag !== undefined ? ` (${flag})` : ''}: ${message}`;
    });
    throw new UsageError(`invalid server configuration:\n  ${lines.join('\n  ')}`);
  }
  if (result.config.modelDir === undefined && result.config.model === undefined) {
    throw new UsageError('nothing to serve: give --model-dir holding a checkpoint, or --items and --dim for a fresh model');
  }
  return result.config;
}

/**
 * Why the server could not start, as one line: a ServerError's message, or
 * an operating-system error (ENOSPC, EACCES, EADDRINUSE, …) with its code and
 * where it happened. Anything else is a bug and keeps its stack.
 */
export function startFailure(error: unknown, config: Pick<ResolvedServerConfig, 'modelDir' | 'host' | 'port'>): unknown {
  if (error instanceof ServerError) return new RunError(`cannot start the server: ${error.message.replaceAll('\n', ' ')}`);
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (!(error instanceof Error) || typeof code !== 'string') return error;
  const { syscall, path } = error as NodeJS.ErrnoException;
  const where =
    path !== undefined ? path
    : syscall === 'listen' ? `${config.host}:${config.port}`
    : config.modelDir !== undefined ? `model dir ${config.modelDir}`
    : undefined;
  // Node writes `ENOSPC: no space left…` or `listen EADDRINUSE: address already in use…`: the code is said once already.
  const description = error.message.replace(new RegExp(`^(?:[a-z]+ )?${code}: `), '').split('\n')[0];
  return new RunError(`cannot start the server: ${code} (${description})${where !== undefined ? ` at ${where}` : ''}`);
}

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('run the FedRec aggregation server (socket.io; GET /status, GET /model, GET /catalogue, POST /enrol)')
    .option('--config <file>', 'JSON config file (fields: host, port, modelDir, catalogueFile, model, rounds, optimiser, limits, auth, checkpoints, privacy, corsOrigins, logLevel; see packages/server/README.md)')
    .option('--port <n>', 'port to listen on (default 8080; 0 picks a free one)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--model-dir <dir>', 'checkpoint directory: resumed from on start, written after every round')
    .option('--catalogue <file>', "the shop's public catalogue (JSON as catalogueToJson writes it), served at GET /catalogue; its items are the model's rows")
    .option('--items <n>', 'catalogue size of a fresh model (when --model-dir holds no checkpoint)')
    .option('--dim <d>', 'embedding dimension of a fresh model')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent (default info)')
    .addHelpText(
      'after',
      '\nExample:\n  fedrec server --model-dir ./model --items 1682 --dim 32 --port 8080\n  fedrec server --config server.json\n\nStops cleanly on SIGTERM/SIGINT: the open round is finished or abandoned and checkpointed.',
    )
    .action(async (options: ServerCommandOptions) => {
      const config = await resolveServerCommandConfig(options);
      const server = createServer(config);
      // The handlers go in before anything can ask us to stop: a SIGTERM that came while none was
      // installed would kill the process by its default action (no checkpoint, no exit code), and
      // whoever starts us may send one as soon as it reads the line below. A signal during startup
      // is handled too: close() waits for listen() to finish, then closes what it started.
      let dispose = (): void => undefined;
      const stopped = new Promise<void>((resolve, reject) => {
        dispose = installShutdownHandlers(server, {
          exit: (code) => {
            dispose();
            if (code === 0) resolve();
            else reject(new Error('the server did not shut down cleanly'));
          },
        });
      });
      let address;
      try {
        address = await server.listen();
      } catch (error) {
        dispose();
        stopped.catch(() => undefined);
        throw startFailure(error, config);
      }
      process.stderr.write(`fedrec server listening on ${address.url} (model version ${server.status().model.version})\n`);
      // Resolves when a signal has closed the server, so the command returns and the process exits with code 0.
      await stopped;
    });
}
