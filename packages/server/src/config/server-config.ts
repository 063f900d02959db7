import { z } from 'zod';
import type { ConfigIssue } from '../server-error.js';
import { ServerError } from '../server-error.js';

/**
 * The server's configuration as a schema: the single source of truth for
 * defaults, validation and the TypeScript types (`ServerConfig` as written by
 * a user, `ResolvedServerConfig` after defaults). The CLI validates its JSON
 * config file with `parseServerConfig`, so every bad field is reported once.
 */

const positiveInt = z.number().int().min(1);
const nonNegativeInt = z.number().int().min(0);

const samplingSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** Each eligible client joins independently with probability `rate` (Poisson sampling, as DP-FedAvg's accounting assumes). */
    kind: z.literal('poisson'),
    rate: z.number().gt(0).max(1),
  }),
  z.strictObject({
    /** A uniformly random cohort of exactly `size` (or every eligible client, if fewer). */
    kind: z.literal('fixed'),
    size: positiveInt,
  }),
]);

const optimiserSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** x ← x + η·Δ̄. With η = 1 this is plain FedAvg (McMahan et al. 2017). */
    kind: z.literal('fedavg'),
    learningRate: z.number().gt(0).default(1),
  }),
  z.strictObject({
    /** m ← β·m + Δ̄; x ← x + η·m (Hsu et al. 2019). */
    kind: z.literal('fedavgm'),
    learningRate: z.number().gt(0).default(1),
    momentum: z.number().min(0).lt(1).default(0.9),
  }),
  z.strictObject({
    /** FedAdam, Reddi et al. 2021, Algorithm 2 (no bias correction; v starts at τ²). */
    kind: z.literal('fedadam'),
    learningRate: z.number().gt(0).default(0.01),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.99),
    /** τ, the degree of adaptivity: larger is closer to FedAvgM. */
    tau: z.number().gt(0).default(1e-3),
  }),
]);

export const serverConfigSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port (tests). */
    port: z.number().int().min(0).max(65_535).default(8080),
    /** Where checkpoints (and the generated token secret) live. Without it nothing is durable. */
    modelDir: z.string().min(1).optional(),
    /** Shape and seed of a fresh model, used only when `modelDir` holds no checkpoint. */
    model: z
      .strictObject({
        numItems: positiveInt,
        dim: positiveInt,
        seed: z.union([z.string(), z.number()]).default('fedrec'),
        initStd: z.number().gt(0).default(0.1),
      })
      .optional(),
    rounds: z
      .strictObject({
        /** A round opens only when at least this many eligible clients are connected. */
        minClients: positiveInt.default(2),
        sampling: samplingSchema.default({ kind: 'fixed', size: 10 }),
        /**
         * Seed of the cohort-sampling stream (one derived stream per round).
         * Default: drawn from the CSPRNG at start. Keep it secret: privacy
         * amplification by sampling assumes nobody can predict the cohort.
         */
        samplingSeed: z.string().min(1).optional(),
        /** A round with fewer accepted updates is abandoned, model unchanged. */
        minUpdates: positiveInt.default(1),
        /** Close the round as soon as this many updates are in. Default: the whole cohort. */
        targetUpdates: positiveInt.optional(),
        /** Deadline for updates, from the round's start. */
        timeoutMs: positiveInt.default(60_000),
        /** Pause between the end of one round and the start of the next. */
        cooldownMs: nonNegativeInt.default(0),
        /** Pause before re-sampling when a cohort came out smaller than `minUpdates`. */
        retryDelayMs: nonNegativeInt.default(50),
        /**
         * `uniform`: every accepted update counts once (required for the usual
         * DP analysis). `examples`: weighted by the client-reported example
         * count, clamped to `maxExampleCount` (reveals that count to the server).
         */
        weighting: z.enum(['uniform', 'examples']).default('uniform'),
        maxExampleCount: positiveInt.default(1_000),
      })
      .prefault({}),
    optimiser: optimiserSchema.default({ kind: 'fedavg', learningRate: 1 }),
    limits: z
      .strictObject({
        /** Refused messages a connection may send before it is disconnected. */
        maxStrikes: positiveInt.default(5),
        /** How long a struck-out client is refused at connection. */
        strikeBanMs: nonNegativeInt.default(60_000),
        /** Added to the largest legitimate message to get socket.io's `maxHttpBufferSize`. */
        headroomBytes: nonNegativeInt.default(64 * 1024),
      })
      .prefault({}),
    auth: z
      .strictObject({
        /** HMAC key for tokens, at least 32 characters. Default: a random key kept in `modelDir/token-secret`. */
        tokenSecret: z.string().min(32).optional(),
        tokenTtlSeconds: positiveInt.default(7 * 24 * 3600),
        /** `open`: anyone may `POST /enrol`; `key`: only with `Authorization: Bearer <enrolmentKey>`; `off`: tokens come from `issueToken` only. */
        enrolment: z.enum(['open', 'key', 'off']).default('open'),
        enrolmentKey: z.string().min(16).optional(),
      })
      .prefault({}),
    checkpoints: z
      .strictObject({
        /** Checkpoints kept in `modelDir` (older ones are deleted after each write). */
        keep: positiveInt.default(3),
      })
      .prefault({}),
    /** Browser origins given CORS headers by socket.io (long-polling). WebSockets are not subject to CORS: the token is what admits a client. */
    corsOrigins: z.array(z.string().min(1)).default([]),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  })
  .superRefine((config, ctx) => {
    const { rounds, auth } = config;
    if (rounds.targetUpdates !== undefined && rounds.targetUpdates < rounds.minUpdates) {
      ctx.addIssue({ code: 'custom', path: ['rounds', 'targetUpdates'], message: `must be >= rounds.minUpdates (${rounds.minUpdates})` });
    }
    if (rounds.sampling.kind === 'fixed' && rounds.sampling.size < rounds.minUpdates) {
      ctx.addIssue({ code: 'custom', path: ['rounds', 'sampling', 'size'], message: `must be >= rounds.minUpdates (${rounds.minUpdates})` });
    }
    if (auth.enrolment === 'key' && auth.enrolmentKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['auth', 'enrolmentKey'], message: "required when auth.enrolment is 'key'" });
    }
  });

/** The configuration as a user writes it: everything with a default is optional. */
export type ServerConfig = z.input<typeof serverConfigSchema>;
/** The configuration with every default filled in. */
export type ResolvedServerConfig = z.output<typeof serverConfigSchema>;
export type OptimiserConfig = ResolvedServerConfig['optimiser'];
export type RoundsConfig = ResolvedServerConfig['rounds'];
export type SamplingConfig = RoundsConfig['sampling'];

export type ConfigParseResult =
  | { readonly ok: true; readonly config: ResolvedServerConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/**
 * Validates a configuration (e.g. parsed JSON). Returns one issue per bad
 * field, never throws.
 *
 * @example
 * const result = parseServerConfig(JSON.parse(text));
 * if (!result.ok) for (const i of result.issues) console.error(`${i.path}: ${i.message}`);
 */
export function parseServerConfig(raw: unknown): ConfigParseResult {
  const result = serverConfigSchema.safeParse(raw);
  if (result.success) return { ok: true, config: result.data };
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string): void => {
    if (seen.has(path)) return; // one error per field
    seen.add(path);
    issues.push({ path, message });
  };
  for (const issue of result.error.issues) {
    const parent = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      // Report each unknown key as its own field, so a typo points at itself.
      for (const key of issue.keys) add([...parent, key].join('.'), 'unknown field');
    } else if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
      add(parent.join('.'), `required: expected ${issue.expected}`);
    } else {
      add(parent.join('.'), issue.message);
    }
  }
  return { ok: false, issues };
}

/** Like `parseServerConfig`, but throws a ServerError('INVALID_CONFIG') listing every issue. */
export function resolveServerConfig(raw: unknown): ResolvedServerConfig {
  const result = parseServerConfig(raw);
  if (result.ok) return result.config;
  const lines = result.issues.map((issue) => `${issue.path || '(config)'}: ${issue.message}`);
  throw new ServerError('INVALID_CONFIG', `invalid server config:\n  ${lines.join('\n  ')}`, result.issues);
}
