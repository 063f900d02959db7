import type { PlannedRoundPrivacy, PrivacyLedgerJson, RdpOrdersInput, SecureRoundNoise } from '@fedrec/core/privacy';
import { DpFedAvgRoundPolicy, PrivacyLedger } from '@fedrec/core/privacy';
import type { PrivacySpend } from '@fedrec/core/protocol';
import type { RandomSource } from '@fedrec/core/random';
import { SavedStateError, parseSavedState } from '@fedrec/core/state';
import { z } from 'zod';
import type { PrivacyConfig } from '../config/server-config.js';
import { ServerError } from '../server-error.js';

/** A round's DP parameters and a secure round's noise: defined once, with the policy, in core. */
export type { PlannedRoundPrivacy, SecureRoundNoise };

/** What the round coordinator asks of the privacy policy; `ServerPrivacy` is the implementation. */
export interface RoundPrivacyPolicy {
  /** The parameters for a round about to open among `eligible` clients, or null when the budget cannot afford it. */
  planRound(eligible: number): PlannedRoundPrivacy | null;
  /**
   * Called once per applied round with the mean of its `accepted` updates,
   * before the optimiser step: tops up the aggregate's noise where needed,
   * records the round in the ledger and moves the clip bound. Returns σ,
   * the standard deviation of the Gaussian noise each coordinate of the
   * (topped-up) mean now carries: what a denoising optimiser thresholds at.
   */
  applyRound(plan: PlannedRoundPrivacy, mean: Float64Array, accepted: number, unclippedCount: number, secure?: SecureRoundNoise): number;
  /** The budget as announced to clients. */
  spend(): PrivacySpend;
  /**
   * Admits a secure round as planned for its cohort: whether recording its
   * accounted z still fits the target (if not, the budget is exhausted from
   * now on and the round must not open). An admitted round's per-client share
   * is what `/status` reports.
   */
  admitSecureRound(plan: { readonly accountedNoiseMultiplier: number; readonly clientNoiseMultiplier: number }): boolean;
}

/** `GET /status`'s `privacy` block. */
export interface PrivacyStatus {
  /** ε spent so far at `delta` over every applied round (0 before the first). */
  readonly epsilonSpent: number;
  readonly delta: number;
  readonly targetEpsilon: number;
  /** z the accountant charges per round. */
  readonly noiseMultiplier: number;
  /** z_Δ the update part carries (below `noiseMultiplier`'s noise budget share under adaptive clipping; equal otherwise). */
  readonly updateNoiseMultiplier: number;
  /** The noise multiplier the last round asked each client to add (its share, under `distributed`); null before the first round. */
  readonly clientNoiseMultiplier: number | null;
  /** Poisson sampling rate q. */
  readonly samplingRate: number;
  /** The clip bound C the next round will use. */
  readonly clipNorm: number;
  readonly placement: 'local' | 'distributed';
  readonly simulationMode: boolean;
  /**
   * `local` only: ε of one update on its own (Gaussian mechanism at z_Δ, q = 1,
   * one step, at `delta`): what the server itself can learn about a shopper
   * from a single round. Null for `distributed`, where one share means little.
   */
  readonly perUpdateEpsilon: number | null;
  /** Rounds charged so far. */
  readonly roundsAccounted: number;
  /** The accountant `epsilonSpent` comes from. */
  readonly accountant: 'rdp' | 'pld';
  /** Further rounds at (q, z) that fit within the target. */
  readonly roundsRemaining: number;
  readonly budgetExhausted: boolean;
  readonly adaptiveClipping: { readonly targetQuantile: number; readonly learningRate: number; readonly countNoiseStd: number } | null;
}

export const SERVER_PRIVACY_FORMAT = 'fedrec.server-privacy';
export const SERVER_PRIVACY_VERSION = 1;

/** What the server stores in each checkpoint's privacy-ledger slot when privacy is configured. */
export interface ServerPrivacyState {
  readonly format: typeof SERVER_PRIVACY_FORMAT;
  readonly version: typeof SERVER_PRIVACY_VERSION;
  readonly ledger: PrivacyLedgerJson;
  /** The clip bound the next round uses (moves under adaptive clipping). */
  readonly clipNorm: number;
  /** z the last securely aggregated round recorded, which budget checks use (absent before one, and in older checkpoints). */
  readonly securelyAccounted?: number;
  /** The `privacyLedger` hook's own snapshot, if one is installed. */
  readonly external: unknown;
}

const WHAT = 'server privacy state';

/**
 * What `restore` accepts: `ServerPrivacyState`, each field checked. The
 * ledger is checked by `PrivacyLedger.fromJSON`, which owns its format; the
 * external part belongs to the hook. Unknown fields are ignored, as before.
 */
const serverPrivacyStateSchema = z.object({
  format: z.literal(SERVER_PRIVACY_FORMAT),
  version: z.literal(SERVER_PRIVACY_VERSION),
  ledger: z.unknown(),
  // z.number() is finite.
  clipNorm: z.number().gt(0),
  securelyAccounted: z.number().gt(0).optional(),
  external: z.unknown(),
});

/** Only the format tag: whether a checkpoint's privacy slot is the server's own (and `restore` must take it) or the external hook's. */
const serverPrivacyTagSchema = z.looseObject({ format: z.literal(SERVER_PRIVACY_FORMAT) });

export function isServerPrivacyState(value: unknown): value is { format: typeof SERVER_PRIVACY_FORMAT } {
  return serverPrivacyTagSchema.safeParse(value).success;
}

export interface ServerPrivacyOptions {
  /** Noise for the distributed top-up and the unclipped count. Default: the platform CSPRNG; seed it only in tests. */
  readonly noiseSource?: RandomSource;
  /** Called once when the budget runs out (including on restoring an exhausted ledger). */
  readonly onExhausted?: (spend: PrivacySpend) => void;
  /**
   * Orders of a fresh ledger (a restored one keeps its own). Default: the
   * dp-accounting preset; `integer` for secure aggregation with distributed
   * noise, whose rounds are charged a z fitted to these orders.
   */
  readonly ledgerOrders?: RdpOrdersInput;
}

/**
 * The server's side of user-level DP-FedAvg: the parameters each round asks
 * of clients, the ledger (RDP or PLD, `privacy.accountant`; one Poisson-subsampled Gaussian step (q, z) per
 * applied round), the budget check before every round, adaptive clipping,
 * and the state that rides in each checkpoint.
 *
 * With `distributed` placement each client adds N(0, (z_Δ C)²/m). When fewer
 * than m updates arrive, their shares sum to less than N(0, (z_Δ C)²), so the
 * server adds the shortfall to the aggregate: the model it publishes always
 * carries at least the noise the ledger charges for. Without secure
 * aggregation the server sees each update with only its share of the noise
 * (and the sum before the top-up), which is why the config allows
 * `distributed` without it only in `simulationMode`. With it, the server sees
 * only the sum and `applyRound` is given a `SecureRoundNoise`: the shares
 * were calibrated so that the fewest survivors already carry the noise, the
 * server adds nothing, and the ledger records that round's accounted z.
 *
 * @example
 * const privacy = new ServerPrivacy(config.privacy, config.rounds.sampling.rate);
 * const plan = privacy.planRound(eligibleCount); // null: budget exhausted
 * privacy.applyRound(plan, mean, accepted, unclippedCount);
 * privacy.status().epsilonSpent;
 */
export class ServerPrivacy implements RoundPrivacyPolicy {
  readonly #config: PrivacyConfig;
  readonly #policy: DpFedAvgRoundPolicy;
  readonly #perUpdateEpsilon: number | null;

  constructor(config: PrivacyConfig, samplingRate: number, options: ServerPrivacyOptions = {}) {
    this.#config = config;
    // The round policy itself (calibrated z, shares, top-up, ledger, adaptive clipping) is core's, the one the simulator runs too.
    this.#policy = new DpFedAvgRoundPolicy(
      {
        noiseMultiplier: config.noiseMultiplier,
        targetEpsilon: config.targetEpsilon,
        delta: config.delta,
        clipNorm: config.clipNorm,
        placement: config.placement,
        samplingRate,
        accountant: config.accountant ?? 'rdp',
        ...(config.adaptiveClipping === undefined ? {} : { adaptiveClipping: config.adaptiveClipping }),
      },
      options,
    );
    this.#perUpdateEpsilon = this.#policy.perUpdateEpsilon();
  }

  get budgetExhausted(): boolean {
    return this.#policy.budgetExhausted;
  }

  /** C for the next round. */
  get clipNorm(): number {
    return this.#policy.clipNorm;
  }

  planRound(eligible: number): PlannedRoundPrivacy | null {
    return this.#policy.planRound(eligible);
  }

  admitSecureRound(plan: { readonly accountedNoiseMultiplier: number; readonly clientNoiseMultiplier: number }): boolean {
    return this.#policy.admitSecureRound(plan);
  }

  applyRound(plan: PlannedRoundPrivacy, mean: Float64Array, accepted: number, unclippedCount: number, secure?: SecureRoundNoise): number {
    return this.#policy.applyRound(plan, mean, accepted, unclippedCount, secure);
  }

  /**
   * Charges `rounds` applied rounds whose ledger entries were lost with an
   * unreadable checkpoint (they were published, so they were spent). Each is
   * charged as the rounds before it were: at the configured z, or the z the
   * last secure round recorded.
   */
  chargeUnrecordedRounds(rounds: number): void {
    this.#policy.chargeUnrecordedRounds(rounds);
  }

  spend(): PrivacySpend {
    return this.#policy.spend();
  }

  status(): PrivacyStatus {
    const { delta, targetEpsilon, noiseMultiplier, placement, simulationMode, adaptiveClipping } = this.#config;
    const policy = this.#policy;
    return {
      epsilonSpent: policy.epsilonSpent,
      delta,
      targetEpsilon,
      noiseMultiplier,
      updateNoiseMultiplier: policy.updateNoiseMultiplier,
      clientNoiseMultiplier: policy.lastClientNoiseMultiplier,
      samplingRate: policy.config.samplingRate,
      clipNorm: policy.clipNorm,
      placement,
      simulationMode,
      perUpdateEpsilon: this.#perUpdateEpsilon,
      roundsAccounted: policy.roundsAccounted,
      accountant: policy.accountant,
      roundsRemaining: policy.roundsRemaining,
      budgetExhausted: policy.budgetExhausted,
      adaptiveClipping: adaptiveClipping === undefined ? null : { ...adaptiveClipping },
    };
  }

  /** The ledger's runs, oldest first (for tests and audits). */
  ledgerJson(): PrivacyLedgerJson {
    return this.#policy.ledgerJson();
  }

  toJSON(external: unknown = null): ServerPrivacyState {
    const securelyAccounted = this.#policy.securelyAccounted;
    return {
      format: SERVER_PRIVACY_FORMAT,
      version: SERVER_PRIVACY_VERSION,
      ledger: this.#policy.ledgerJson(),
      clipNorm: this.clipNorm,
      ...(securelyAccounted !== null ? { securelyAccounted } : {}),
      external,
    };
  }

  /**
   * Takes over the ledger and clip bound stored with a checkpoint. Throws a
   * ServerError('PRIVACY_LEDGER_CONFLICT') naming the first bad field (in
   * its message and `issues`) on anything malformed rather than resume with
   * a wrong budget; nothing changes then. Returns the external hook's part.
   */
  restore(state: unknown): unknown {
    let stored: z.output<typeof serverPrivacyStateSchema>;
    let ledger: PrivacyLedger;
    try {
      stored = parseSavedState(serverPrivacyStateSchema, state, WHAT);
      try {
        ledger = PrivacyLedger.fromJSON(stored.ledger);
      } catch (error) {
        throw error instanceof SavedStateError ? error.within('ledger', WHAT) : error;
      }
    } catch (error) {
      if (!(error instanceof SavedStateError)) throw error;
      throw new ServerError('PRIVACY_LEDGER_CONFLICT', error.message, [{ path: error.path, message: error.problem }]);
    }
    // A ledger without the field was kept with RDP. Re-reading it with the
    // other accountant would change the ε already announced to clients.
    const configured = this.#config.accountant ?? 'rdp';
    if (ledger.accountant !== configured) {
      const problem = `was kept with the ${ledger.accountant} accountant but privacy.accountant is ${configured}; set privacy.accountant: '${ledger.accountant}' to resume this job`;
      throw new ServerError('PRIVACY_LEDGER_CONFLICT', `${WHAT}: ledger.accountant ${problem}`, [{ path: 'ledger.accountant', message: problem }]);
    }
    // A changed adaptive-clipping config keeps the bound reached so far; a fixed bound comes from the config.
    this.#policy.restore({ ledger, clipNorm: stored.clipNorm, securelyAccounted: stored.securelyAccounted ?? null });
    return stored.external ?? null;
  }
}
