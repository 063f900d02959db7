/**
 * `fedrec server`: run the aggregation server.
 *
 *   fedrec server [--config FILE] [--port N] [--host H] [--model-dir DIR] [--items N --dim D] [--no-privacy] [--log-level L]
 *                 [--cluster redis://HOST:PORT [--cluster-prefix P]]
 *
 * The JSON config file is validated against the server's schema (see
 * @fedrec/server's `serverConfigSchema`); flags override its fields. Every bad
 * field is reported on its own line and the command exits with code 2.
 * A config without a `privacy` block gets the default budget
 * (`DEFAULT_PRIVACY`), so that shoppers' clients take part: they decline
 * rounds that announce no DP parameters. `--no-privacy` runs without DP.
 * SIGTERM / SIGINT finish (or abandon) the open round, write its checkpoint
 * and exit 0.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DEFAULT_PRIVACY, DEFAULT_PRIVATE_SAMPLING, ServerError, createServer, installShutdownHandlers, parseServerConfig, withDefaultPrivacy } from '@fedrec/server';
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
  /** False with `--no-privacy`: no DP, and no default budget. */
  privacy?: boolean;
  /** `--cluster URL`: run as one node of a cluster sharing that Redis (config field `cluster.url`). */
  cluster?: string;
  clusterPrefix?: string;
}

/** The default budget in words, for `--help`, the start-up line and config errors. */
const DEFAULT_BUDGET = `ε = ${DEFAULT_PRIVACY.targetEpsilon} at δ = ${DEFAULT_PRIVACY.delta} over ${DEFAULT_PRIVACY.plannedRounds} planned rounds, Poisson rate q = ${DEFAULT_PRIVATE_SAMPLING.rate}, clip norm ${DEFAULT_PRIVACY.clipNorm}, noise added on each device (${DEFAULT_PRIVACY.placement})`;

/** Config fields the default budget constrains: an issue on one of them is explained by it. */
const DEFAULT_PRIVACY_FIELDS = ['privacy', 'modelDir', 'rounds.sampling', 'rounds.weighting'];

/** Which flag sets which config field, so an error about a field can name the flag too. */
const FLAG_FOR_FIELD: Readonly<Record<string, string>> = {
  port: '--port',
  host: '--host',
  modelDir: '--model-dir',
  catalogueFile: '--catalogue',
  'model.numItems': '--items',
  'model.dim': '--dim',
  logLevel: '--log-level',
  cluster: '--cluster',
  'cluster.url': '--cluster',
  'cluster.prefix': '--cluster-prefix',
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
  if (options.cluster !== undefined || options.clusterPrefix !== undefined) {
    if (options.cluster === undefined && !isRecord(raw.cluster)) throw new UsageError('--cluster-prefix: needs --cluster (or "cluster" in --config)');
    const cluster = isRecord(raw.cluster) ? { ...raw.cluster } : {};
    if (options.cluster !== undefined) cluster.url = options.cluster;
    if (options.clusterPrefix !== undefined) cluster.prefix = options.clusterPrefix;
    raw.cluster = cluster;
  }
  if (options.items !== undefined || options.dim !== undefined) {
    const model = isRecord(raw.model) ? { ...raw.model } : {};
    if (options.items !== undefined) model.numItems = parseNumber('--items', options.items, { min: 1, integer: true });
    if (options.dim !== undefined) model.dim = parseNumber('--dim', options.dim, { min: 1, integer: true });
    raw.model = model;
  }
  // Said first: with nothing to serve, whatever else is wrong hardly matters.
  if (raw.modelDir === undefined && raw.model === undefined) {
    throw new UsageError('nothing to serve: give --model-dir holding a checkpoint, or --items and --dim for a fresh model');
  }
  if (options.privacy === false && raw.privacy !== undefined) {
    throw new UsageError('--no-privacy: the config file sets privacy; drop one or the other');
  }
  const defaultPrivacy = options.privacy !== false && raw.privacy === undefined;
  const result = parseServerConfig(defaultPrivacy ? withDefaultPrivacy(raw) : raw);
  if (!result.ok) {
    const lines = result.issues.map(({ path, message }) => {
      const flag = FLAG_FOR_FIELD[path];
      return `${path || '(config)'}${flag !== undefined ? ` (${flag})` : ''}: ${message}`;
    });
    const explained = defaultPrivacy && result.issues.some(({ path }) => DEFAULT_PRIVACY_FIELDS.some((field) => path === field || path.startsWith(`${field}.`)));
    const note = explained
      ? `\n(the config sets no privacy, so the default budget applies: ${DEFAULT_BUDGET}. Set "privacy" in --config to choose another, or --no-privacy to run without DP)`
      : '';
    throw new UsageError(`invalid server configuration:\n  ${lines.join('\n  ')}${note}`);
  }
  return result.config;
}

/** One line on the privacy the server runs with, printed at start: what shoppers' devices will be told. */
export function describePrivacy(config: Pick<ResolvedServerConfig, 'privacy' | 'rounds'>, options: Pick<ServerCommandOptions, 'privacy'>): string {
  const { privacy, rounds } = config;
  if (privacy === undefined) {
    const why = options.privacy === false ? '--no-privacy' : 'none configured';
    return `privacy: none (${why}): rounds announce no DP parameters, and shoppers' clients (createClient) decline them (reason no-privacy)`;
  }
  const q = rounds.sampling.kind === 'poisson' ? rounds.sampling.rate : 1;
  const budget = `ε = ${privacy.targetEpsilon} at δ = ${privacy.delta}, z = ${privacy.noiseMultiplier.toPrecision(3)}, q = ${q}, clip norm ${privacy.clipNorm}, ${privacy.placement} noise`;
  // A config that spells out the default's figures runs the default budget too.
  const defaulted =
    privacy.targetEpsilon === DEFAULT_PRIVACY.targetEpsilon &&
    privacy.delta === DEFAULT_PRIVACY.delta &&
    privacy.clipNorm === DEFAULT_PRIVACY.clipNorm &&
    privacy.plannedRounds === DEFAULT_PRIVACY.plannedRounds &&
    privacy.placement === DEFAULT_PRIVACY.placement &&
    q === DEFAULT_PRIVATE_SAMPLING.rate;
  return defaulted ? `privacy: the default budget, ${budget} (set "privacy" in --config to change it)` : `privacy: ${budget}`;
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
    .option('--config <file>', 'JSON config file (fields: host, port, modelDir, catalogueFile, model, rounds, optimiser, limits, auth, checkpoints, privacy, corsOrigins, privacyNotice, logLevel; see packages/server/README.md)')
    .option('--port <n>', 'port to listen on (default 8080; 0 picks a free one)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--model-dir <dir>', 'checkpoint directory: resumed from on start, written after every round')
    .option('--catalogue <file>', "the shop's public catalogue (JSON as catalogueToJson writes it), served at GET /catalogue; its items are the model's rows")
    .option('--items <n>', 'catalogue size of a fresh model (when --model-dir holds no checkpoint)')
    .option('--dim <d>', 'embedding dimension of a fresh model')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent (default info)')
    .option('--no-privacy', "run without differential privacy: shoppers' clients (createClient) then decline every round")
    .option('--cluster <url>', 'run as one node of a cluster: redis://HOST:PORT of the Redis all nodes share (with a shared --model-dir and auth.tokenSecret; see the server README)')
    .option('--cluster-prefix <prefix>', 'key prefix of this job in that Redis (default fedrec:server)')
    .addHelpText(
      'after',
      `\nPrivacy: a config without a "privacy" block gets the default budget, ${DEFAULT_BUDGET};` +
        ' shoppers\' clients take part only in rounds that announce one. It needs --model-dir (the ε ledger must be durable).' +
        ' No round opens once the budget is spent.\n' +
        '\nExample:\n  fedrec server --model-dir ./model --items 1682 --dim 32 --port 8080\n  fedrec server --config server.json\n' +
        '  fedrec server --config server.json --model-dir /shared/model --cluster redis://10.0.0.5:6379   (on each node, behind a load balancer)\n\nStops cleanly on SIGTERM/SIGINT: the open round is finished or abandoned and checkpointed.',
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
      const node = config.cluster === undefined ? '' : `, a node of the cluster at ${redactUrl(config.cluster.url)} (prefix ${config.cluster.prefix})`;
      process.stderr.write(`fedrec server listening on ${address.url} (model version ${server.status().model.version})${node}\n`);
      process.stderr.write(`${describePrivacy(config, options)}\n`);
      // Resolves when a signal has closed the server, so the command returns and the process exits with code 0.
      await stopped;
    });
}

/** A Redis URL without its password, for the start-up line. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return url;
  }
}
