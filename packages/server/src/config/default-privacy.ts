import type { ServerConfig } from './server-config.js';

/**
 * The privacy budget a server gets when its configuration sets none
 * (`fedrec server` applies it; `withDefaultPrivacy` does the same in code).
 * Shoppers' clients (`createClient`) take part only in rounds that announce
 * DP parameters, so a server without them never trains; this default makes
 * one that does, under a stated budget.
 *
 * The values follow the simulation's defaults (`SIMULATE_DEFAULTS` in
 * @fedrec/sim): ε = 3 at δ = 1e-5, clip norm C = 0.5, the RDP accountant.
 * Placement is `local`, the one honest without trusting the server or
 * running secure aggregation: every device noises its own update. The noise
 * multiplier z is calibrated so that `plannedRounds` rounds at Poisson rate
 * q fit ε (z ≈ 1.37 for 200 rounds at q = 0.05); after them no round opens
 * and the model is frozen, as with any budget. Each device spends at most
 * the server's ε, well within a shopper's default personal budget
 * (`createClient`'s ε = 10).
 */
export const DEFAULT_PRIVACY = {
  targetEpsilon: 3,
  delta: 1e-5,
  clipNorm: 0.5,
  noiseMultiplier: 'calibrate',
  plannedRounds: 200,
  placement: 'local',
} as const;

/**
 * The cohort sampling that goes with the default budget: Poisson, as the
 * accountant assumes, with q = 0.05 of the eligible devices per round.
 */
export const DEFAULT_PRIVATE_SAMPLING = { kind: 'poisson', rate: 0.05 } as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A configuration (as written, before `parseServerConfig`) with the default
 * budget filled in where it sets no `privacy`: `DEFAULT_PRIVACY`, and
 * `DEFAULT_PRIVATE_SAMPLING` unless it chose a sampling itself (a fixed
 * cohort is then refused, naming `rounds.sampling`, since the accountant
 * cannot account it). An explicit `privacy` block is left as it is; to run
 * without DP, do not call this. Like any DP config it needs a `modelDir`
 * (the ε ledger must be durable). The input is not modified.
 *
 * @example
 * const server = createServer(withDefaultPrivacy({ modelDir: './model', model: { numItems: 1682, dim: 32 } }));
 */
export function withDefaultPrivacy<T extends ServerConfig>(config: T): T;
/** The same over a configuration not yet validated (a parsed JSON file): the schema checks the result. */
export function withDefaultPrivacy(config: Readonly<Record<string, unknown>>): Record<string, unknown>;
export function withDefaultPrivacy(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (config.privacy !== undefined) return config;
  const rounds = isRecord(config.rounds) ? config.rounds : {};
  return {
    ...config,
    privacy: { ...DEFAULT_PRIVACY },
    ...(rounds.sampling === undefined ? { rounds: { ...rounds, sampling: { ...DEFAULT_PRIVATE_SAMPLING } } } : {}),
  };
}
