import { ACCOUNTANT_NAMES, calibrateNoiseMultiplier } from '@fedrec/core/privacy';
import type { AccountantName } from '@fedrec/core/privacy';
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
    /**
     * Serve a denoised model (core's `DenoisedModel`): keep the raw sum of the
     * steps D and release initial + shrink(D), each item row soft-thresholded
     * at `threshold` × the expected norm of the noise D has accumulated.
     * Post-processing of the noised means, so no privacy cost. Needs `privacy`.
     */
    denoise: z
      .strictObject({
        /** Cut-off in units of the accumulated noise's standard deviation; 0 serves initial + D (plain FedAvg). */
        threshold: z.number().min(0).max(100).default(1),
      })
      .optional(),
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

const adaptiveClippingSchema = z.strictObject({
  /** γ: the fraction of updates the bound should leave unclipped (0.5 tracks the median norm). */
  targetQuantile: z.number().gt(0).lt(1).default(0.5),
  /** η_C of the geometric step C ← C·exp(−η_C (b̄ − γ)). */
  learningRate: z.number().gt(0).default(0.2),
  /** σ_b: standard deviation of the noise on the count of unclipped updates. Andrew et al. suggest (expected cohort)/20. */
  countNoiseStd: z.number().gt(0),
});

/**
 * User-level DP-FedAvg (McMahan et al. 2018): every update is clipped to L2
 * norm `clipNorm` and the aggregate carries N(0, (zC)²); the accountant
 * charges one Poisson-subsampled Gaussian step (q, z) per applied round, and
 * no round opens once the next one would take ε above `targetEpsilon`.
 */
const privacySchema = z.strictObject({
  /** ε the whole training job may spend, at `delta`, towards any one shopper (client id). */
  targetEpsilon: z.number().gt(0),
  /** δ of the guarantee; well below 1/(number of shoppers). */
  delta: z.number().gt(0).lt(1),
  /** C: L2 bound on one shopper's update in one round (the first round's bound under adaptive clipping). */
  clipNorm: z.number().gt(0),
  /** z: the aggregate's noise standard deviation as a multiple of C, or `calibrate` to derive it from the budget and `plannedRounds`. */
  noiseMultiplier: z.union([z.number().gt(0), z.literal('calibrate')], { error: 'expected a number > 0 or "calibrate"' }),
  /** Rounds the budget is planned for; required with `noiseMultiplier: "calibrate"`. */
  plannedRounds: positiveInt.optional(),
  /**
   * `local`: every client adds N(0, (zC)²) to its own update (honest without
   * trusting the server). `distributed`: each client adds its share
   * N(0, (zC)²/m), m the expected cohort, so that the sum carries N(0, (zC)²)
   * (honest only behind secure aggregation).
   */
  placement: z.enum(['local', 'distributed']).default('local'),
  /**
   * Declares that this server is a trusted simulation: allows `distributed`
   * placement without secure aggregation, adaptive clipping with `local`
   * placement (whose unclipped bit the server sees in the clear), and DP
   * without a `modelDir` (a ledger kept in memory only).
   */
  simulationMode: z.boolean().default(false),
  /** Adaptive clipping (Andrew et al. 2021): C follows a quantile of the update norms. */
  adaptiveClipping: adaptiveClippingSchema.optional(),
  /**
   * How ε is accounted (and `calibrate` sizes z): `rdp` (Rényi DP, the
   * default) or `pld` (privacy loss distributions: a tighter ε, never above
   * RDP's). Absent means `rdp`. A checkpoint's ledger must have been kept with
   * the same accountant: changing it on a resumed job is refused rather than
   * letting the announced ε jump.
   */
  accountant: z.enum(ACCOUNTANT_NAMES as [AccountantName, ...AccountantName[]]).optional(),
});

/**
 * Secure aggregation (SecAgg+, Bell et al. 2020): the server learns only the
 * sum of the survivors' quantised updates, never one client's update.
 */
const secureAggregationSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /**
   * k: neighbours per client in the masking graph. Default: `defaultNeighbourCount(n)` (all others for small cohorts).
   * At least 2: with 1 the graph pairs clients off and the server would learn each pair's sum.
   */
  neighbours: z.number().int().min(2).optional(),
  /** t: survivors needed to finish a round (and holders to reconstruct a secret). Default: `defaultThreshold(k)`. */
  threshold: positiveInt.optional(),
  /** Deadline of each stage after the first (the first waits `rounds.timeoutMs`, which covers training). A client that misses it has dropped out. */
  stageTimeoutMs: positiveInt.default(10_000),
  /** log2 of the modulus the sum is decoded with; the no-wrap-around condition is n·B < 2^(bits−1). */
  modulusBits: z.number().int().min(8).max(32).default(32),
  /** C for rounds without a privacy config: updates are L2-clipped to it before quantising (with privacy: `privacy.clipNorm`). */
  clipNorm: z.number().gt(0).default(1),
  /** γ: float value of one integer step. Default: the finest step for which n clients cannot wrap around (see the README). */
  granularity: z.number().gt(0).optional(),
});

/** A token bucket per source address: `burst` at once, refilled at `perMinute`; `false` turns the limit off. */
const rateLimitSchema = z.union([z.strictObject({ burst: positiveInt, perMinute: z.number().gt(0) }), z.literal(false)], {
  error: 'expected {"burst": n >= 1, "perMinute": r > 0} or false',
});

/**
 * The HTTP edge: timeouts, a connection cap and per-source rate limits, so
 * that slow or numerous requests from a few sources cannot hold the server.
 */
const httpSchema = z.strictObject({
  /** Time a client has to send a request's headers (Node's `headersTimeout`); then 408 and the connection is closed. */
  headersTimeoutMs: positiveInt.default(10_000),
  /** Time a client has to send a whole request, body included (Node's `requestTimeout`). */
  requestTimeoutMs: positiveInt.default(30_000),
  /** Open TCP connections (HTTP and WebSocket together) beyond which new ones are closed at once (Node's `maxConnections`). */
  maxConnections: positiveInt.default(10_000),
  /**
   * Behind a reverse proxy every connection comes from the proxy: set this to
   * key the rate limits by the last address in `X-Forwarded-For` (the one the
   * proxy appended) instead. Only with a proxy that always sets it.
   */
  trustProxy: z.boolean().default(false),
  /** Per source address (IPv6: per /64). */
  rateLimits: z
    .strictObject({
      /** `POST /enrol` requests, whatever their outcome. */
      enrol: rateLimitSchema.default({ burst: 20, perMinute: 60 }),
      /** Wrong enrolment keys (`auth.enrolment: "key"`): once spent, the source gets 429 until a token refills, right key or not. */
      enrolKeyFailures: rateLimitSchema.default({ burst: 5, perMinute: 1 }),
      /** New socket.io sessions (refused before any work, with HTTP 403 for long-polling and 400 for WebSocket). */
      handshake: rateLimitSchema.default({ burst: 100, perMinute: 600 }),
    })
    .prefault({}),
});

/**
 * Several server processes (nodes) sharing one job through Redis: every node
 * takes shoppers and sums its own cohort members; the node holding the
 * coordinator lease opens rounds, combines the nodes' partial sums, applies
 * and checkpoints them (see packages/server/README.md, "Running a cluster").
 */
const clusterSchema = z.strictObject({
  /** redis:// or rediss:// URL of the Redis every node reaches. */
  url: z.string().regex(/^rediss?:\/\/./, { error: 'expected a redis:// or rediss:// URL' }),
  /** Key prefix of this job (several jobs can share one Redis). */
  prefix: z.string().regex(/^[A-Za-z0-9:_.-]{1,100}$/, { error: 'expected 1–100 letters, digits or :_.-' }).default('fedrec:server'),
  /** This node's name in the cluster (logs, partial sums). Default: host, pid and a random suffix (unique per process). */
  nodeId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'expected 1–64 letters, digits or _.-' }).optional(),
  /** How long the coordinator lease lasts without renewal: a killed coordinator is replaced after at most this. */
  leaseMs: positiveInt.min(200).default(5_000),
  /** A node that has not refreshed its heartbeat for this long is taken as gone (its partial sum is not waited for). */
  heartbeatTtlMs: positiveInt.min(100).default(3_000),
  /** How long after a round's deadline the coordinator still waits for the partial sums of live nodes. */
  partialGraceMs: nonNegativeInt.default(2_000),
  /**
   * With secure aggregation, each node runs SecAgg+ among its own sampled
   * shoppers and the coordinator learns each node's group sum: a node with
   * fewer sampled shoppers than this sits the round out (nobody of it is
   * invited), so that no group sum is the sum of one or two shoppers.
   */
  minSecureGroup: z.number().int().min(2).default(3),
});

export const serverConfigSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port (tests). */
    port: z.number().int().min(0).max(65_535).default(8080),
    /** Where checkpoints (and the generated token secret) live. Without it nothing is durable. */
    modelDir: z.string().min(1).optional(),
    /**
     * The shop's public catalogue, as `catalogueToJson` (@fedrec/core/catalogue) writes it: served at
     * `GET /catalogue` for clients to store. Its items are the model's rows, so their count must match.
     */
    catalogueFile: z.string().min(1).optional(),
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
        /** Refused messages a client id may earn within `strikeWindowMs` (across reconnects) before it is disconnected and banned. */
        maxStrikes: positiveInt.default(5),
        /** How long a struck-out client id is refused at connection (kept in `modelDir/bans.json` across restarts). */
        strikeBanMs: nonNegativeInt.default(60_000),
        /** A client id's strikes are forgotten this long after its first one. */
        strikeWindowMs: positiveInt.default(10 * 60_000),
        /**
         * L2 bound on one plain update in rounds without DP parameters (with
         * `privacy`, the bound is the round's clip norm plus what its noise
         * can add). Set it near what your clients' own clipping and noise allow.
         */
        maxUpdateNorm: z.number().gt(0).default(1_000),
        /** Added to the largest legitimate message to get socket.io's `maxHttpBufferSize`. */
        headroomBytes: nonNegativeInt.default(64 * 1024),
        /**
         * Bytes the server may hold queued for one client that has not read
         * them (engine.io's write buffer plus the WebSocket's unsent bytes)
         * before it disconnects that client instead of queueing more.
         * Default: `defaultMaxBufferedBytes`, 4 × the model's size but at least 4 MiB.
         */
        maxBufferedBytes: positiveInt.optional(),
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
        /**
         * Bearer key for operator detail on \`GET /status\` (live counts, client
         * numbers, timings, the privacy parameters). Without it \`/status\`
         * shows only what the world may see: round-level figures after each
         * round has closed.
         */
        operatorKey: z.string().min(16).optional(),
      })
      .prefault({}),
    checkpoints: z
      .strictObject({
        /** Checkpoints kept in `modelDir` (older ones are deleted after each write). */
        keep: positiveInt.default(3),
        /**
         * First wait before retrying a failed checkpoint (doubling up to a
         * minute). Until it succeeds, releases are halted: the round's model
         * is not published and no round opens.
         */
        retryMs: positiveInt.default(1_000),
      })
      .prefault({}),
    /**
     * Browser origins (exact, e.g. `https://shop.example`) given CORS headers: by socket.io (long-polling) and by the
     * HTTP routes (`GET /model`, `GET /catalogue`, `POST /enrol` and its preflight). WebSockets are not subject to CORS:
     * the token is what admits a client.
     */
    corsOrigins: z.array(z.string().min(1)).default([]),
    /**
     * Who runs this server, for the privacy notice (`GET /privacy-notice`):
     * the operator's name and a contact (an e-mail address or a URL) for
     * questions about the data. Optional; a change gives the notice a new
     * version, so shoppers are asked again.
     */
    privacyNotice: z
      .strictObject({
        operator: z.string().min(1).optional(),
        contact: z.string().min(1).optional(),
      })
      .optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    /** Differential privacy (see `privacySchema`). Absent: no clipping, noise or accounting is asked of clients. */
    privacy: privacySchema.optional(),
    secureAggregation: secureAggregationSchema.optional(),
    http: httpSchema.prefault({}),
    /**
     * The most `close()` (and so SIGTERM) may take: after finishing the open
     * round, clients get until then to disconnect; whatever is still open is
     * then destroyed. If the round's checkpoint is not written by then either,
     * `close()` fails with SHUTDOWN_TIMEOUT.
     */
    shutdownTimeoutMs: positiveInt.default(10_000),
    /** Run as one node of a cluster (see `clusterSchema`). Absent: a single server. */
    cluster: clusterSchema.optional(),
  })
  .superRefine((config, ctx) => {
    const { rounds, auth, privacy, secureAggregation } = config;
    if (privacy !== undefined) checkPrivacy(config, privacy, ctx);
    if (privacy !== undefined && config.modelDir === undefined && !privacy.simulationMode) {
      issue(
        ctx,
        ['modelDir'],
        'required with privacy: the ε ledger must be durable before a model is released, and without a model directory a restart would forget the ε spent and train from zero on the same shoppers. ' +
          'Set modelDir, or privacy.simulationMode: true for a simulation',
      );
    }
    if (config.optimiser.kind === 'fedavg' && config.optimiser.denoise !== undefined && privacy === undefined) {
      issue(ctx, ['optimiser', 'denoise'], 'needs privacy: denoising thresholds at the DP noise the rounds add, and without a privacy config there is none');
    }
    if (secureAggregation?.enabled === true && rounds.weighting !== 'uniform') {
      ctx.addIssue({ code: 'custom', path: ['rounds', 'weighting'], message: "must be 'uniform' with secure aggregation: the server only sees the sum" });
    }
    if (secureAggregation?.enabled === true && privacy?.adaptiveClipping !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['privacy', 'adaptiveClipping'], message: 'is not supported with secure aggregation yet (the unclipped bits are not securely summed)' });
    }
    if (rounds.targetUpdates !== undefined && rounds.targetUpdates < rounds.minUpdates) {
      ctx.addIssue({ code: 'custom', path: ['rounds', 'targetUpdates'], message: `must be >= rounds.minUpdates (${rounds.minUpdates})` });
    }
    if (rounds.sampling.kind === 'fixed' && rounds.sampling.size < rounds.minUpdates) {
      ctx.addIssue({ code: 'custom', path: ['rounds', 'sampling', 'size'], message: `must be >= rounds.minUpdates (${rounds.minUpdates})` });
    }
    if (auth.enrolment === 'key' && auth.enrolmentKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['auth', 'enrolmentKey'], message: "required when auth.enrolment is 'key'" });
    }
    if (config.cluster !== undefined) checkCluster(config, ctx);
    if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
      issue(ctx, ['http', 'headersTimeoutMs'], `must be <= http.requestTimeoutMs (${config.http.requestTimeoutMs}): the headers are part of the request`);
    }
  })
  .transform((config, ctx) => {
    const { privacy } = config;
    if (privacy === undefined || privacy.noiseMultiplier !== 'calibrate') return config as CalibratedConfig<typeof config>;
    const resolved = { ...privacy, noiseMultiplier: calibrate(privacy, config.rounds.sampling, ctx) };
    if (Number.isNaN(resolved.noiseMultiplier)) return z.NEVER;
    checkCountNoise(resolved.noiseMultiplier, resolved.adaptiveClipping?.countNoiseStd, ctx);
    return { ...config, privacy: resolved };
  });

type PrivacyInput = z.output<typeof privacySchema>;
/** The config with a calibrated noise multiplier in place of `"calibrate"`. */
type CalibratedConfig<T extends { privacy?: PrivacyInput | undefined }> = Omit<T, 'privacy'> & {
  privacy?: Omit<PrivacyInput, 'noiseMultiplier'> & { noiseMultiplier: number };
};

function issue(ctx: z.RefinementCtx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/** Cross-field rules for DP, each reported on the field to change. */
function checkPrivacy(
  config: { rounds: { sampling: { kind: string }; weighting: string }; secureAggregation?: { enabled: boolean } | undefined },
  privacy: PrivacyInput,
  ctx: z.RefinementCtx,
): void {
  if (config.rounds.sampling.kind !== 'poisson') {
    issue(
      ctx,
      ['rounds', 'sampling'],
      'must be {"kind":"poisson","rate":q} when privacy is configured: the accountant assumes Poisson sampling and does not account fixed-size cohorts',
    );
  }
  if (config.rounds.weighting !== 'uniform') {
    issue(ctx, ['rounds', 'weighting'], "must be 'uniform' when privacy is configured: weighting by example count breaks the sensitivity bound C");
  }
  if (privacy.noiseMultiplier === 'calibrate' && privacy.plannedRounds === undefined) {
    issue(ctx, ['privacy', 'plannedRounds'], "required when privacy.noiseMultiplier is 'calibrate'");
  }
  if (privacy.placement === 'distributed' && !privacy.simulationMode && config.secureAggregation?.enabled !== true) {
    issue(
      ctx,
      ['privacy', 'placement'],
      "'distributed' needs secure aggregation: without it the server would see every update with only a small share of the noise. " +
        "Set secureAggregation.enabled: true, use 'local', or set privacy.simulationMode: true for a simulation with a trusted server",
    );
  }
  if (privacy.adaptiveClipping !== undefined && privacy.placement === 'local' && !privacy.simulationMode) {
    issue(
      ctx,
      ['privacy', 'adaptiveClipping'],
      "needs secure aggregation: each client's unclipped bit reaches the server in the clear, which 'local' placement promises it will not learn. " +
        'Drop adaptive clipping, or set privacy.simulationMode: true for a simulation with a trusted server',
    );
  }
  if (typeof privacy.noiseMultiplier === 'number') checkCountNoise(privacy.noiseMultiplier, privacy.adaptiveClipping?.countNoiseStd, ctx);
}

/** What a cluster needs that a single server does not (see the README's "Running a cluster"). */
function checkCluster(
  config: {
    modelDir?: string | undefined;
    auth: { tokenSecret?: string | undefined };
    rounds: { sampling: { kind: string }; targetUpdates?: number | undefined };
    privacy?: { placement: string; adaptiveClipping?: unknown } | undefined;
    secureAggregation?: { enabled: boolean } | undefined;
    optimiser: { kind: string; denoise?: unknown };
  },
  ctx: z.RefinementCtx,
): void {
  if (config.modelDir === undefined) issue(ctx, ['modelDir'], 'required with cluster: the checkpoints live in a directory every node reaches (a shared file system)');
  if (config.auth.tokenSecret === undefined) issue(ctx, ['auth', 'tokenSecret'], 'required with cluster: every node must verify the tokens any node issued, so they share one key');
  if (config.rounds.sampling.kind !== 'poisson') issue(ctx, ['rounds', 'sampling'], 'must be {"kind":"poisson","rate":q} with cluster: Poisson sampling decomposes (each node samples its own shoppers with q), a fixed-size cohort does not');
  if (config.rounds.targetUpdates !== undefined) issue(ctx, ['rounds', 'targetUpdates'], 'is not supported with cluster: each node closes its part when its own members are done or at the deadline');
  if (config.privacy?.placement === 'distributed') issue(ctx, ['privacy', 'placement'], "'distributed' is not supported with cluster yet: the noise shares would be sized per node group; use 'local'");
  if (config.privacy?.adaptiveClipping !== undefined) issue(ctx, ['privacy', 'adaptiveClipping'], 'is not supported with cluster yet (the unclipped counts are not combined across nodes)');
}

/** The count's noise takes a share of the budget (see `updateNoiseMultiplier`): it must leave some for the update. */
function checkCountNoise(noiseMultiplier: number, countNoiseStd: number | undefined, ctx: z.RefinementCtx): void {
  if (countNoiseStd === undefined || 2 * countNoiseStd > noiseMultiplier) return;
  issue(
    ctx,
    ['privacy', 'adaptiveClipping', 'countNoiseStd'],
    `must be more than half the noise multiplier (${noiseMultiplier}): the noised count would use the whole privacy budget`,
  );
}

/** The least z that affords `plannedRounds` rounds at q within the target; NaN (with an issue) if none does. */
function calibrate(privacy: PrivacyInput, sampling: { kind: string; rate?: number }, ctx: z.RefinementCtx): number {
  // checkPrivacy has ensured Poisson sampling and plannedRounds.
  try {
    return calibrateNoiseMultiplier({
      targetEpsilon: privacy.targetEpsilon,
      delta: privacy.delta,
      samplingRate: sampling.rate ?? 1,
      steps: privacy.plannedRounds ?? 1,
      accountant: privacy.accountant ?? 'rdp',
    }).noiseMultiplier;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    issue(ctx, ['privacy', 'targetEpsilon'], `cannot calibrate a noise multiplier for ${privacy.plannedRounds} rounds: ${reason}`);
    return Number.NaN;
  }
}

/** The configuration as a user writes it: everything with a default is optional. */
export type ServerConfig = z.input<typeof serverConfigSchema>;
/** The configuration with every default filled in. */
export type ResolvedServerConfig = z.output<typeof serverConfigSchema>;
export type OptimiserConfig = ResolvedServerConfig['optimiser'];
export type RoundsConfig = ResolvedServerConfig['rounds'];
export type SamplingConfig = RoundsConfig['sampling'];
/** The privacy block with `noiseMultiplier` resolved to a number (calibrated if it was `"calibrate"`). */
export type PrivacyConfig = NonNullable<ResolvedServerConfig['privacy']>;
export type SecureAggregationConfig = NonNullable<ResolvedServerConfig['secureAggregation']>;
export type AdaptiveClippingSettings = NonNullable<PrivacyConfig['adaptiveClipping']>;
export type HttpConfig = ResolvedServerConfig['http'];
export type ClusterConfig = NonNullable<ResolvedServerConfig['cluster']>;
export type RateLimitConfig = HttpConfig['rateLimits']['enrol'];

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
