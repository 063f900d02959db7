import type { PrivacyLedgerJson, RdpOrdersInput } from '@fedrec/core/privacy';
import { AdaptiveClipping, PrivacyLedger, epsilonForMechanisms, updateNoiseMultiplier } from '@fedrec/core/privacy';
import type { PrivacySpend, RoundPrivacy } from '@fedrec/core/protocol';
import type { RandomSource } from '@fedrec/core/random';
import { addGaussianNoise, createCryptoRandomSource } from '@fedrec/core/random';
import { SavedStateError, parseSavedState } from '@fedrec/core/state';
import { z } from 'zod';
import type { PrivacyConfig } from '../config/server-config.js';
import { ServerError } from '../server-error.js';

/** A round's DP parameters, fixed when it opens. */
export interface PlannedRoundPrivacy {
  /** What the round-start message tells the cohort. */
  readonly message: RoundPrivacy;
  /** Adaptive clipping is on: every update must report its unclipped bit. */
  readonly wantsUnclippedBit: boolean;
  /** m = max(1, q × eligible clients): normalises the unclipped count and sizes the distributed noise shares. */
  readonly expectedCohort: number;
  /** z_Δ, the noise multiplier the update itself carries in the aggregate (z without adaptive clipping). */
  readonly updateNoiseMultiplier: number;
  /** The RDP orders of the ledger that will record the round (a secure round's accounted z is fitted to them). */
  readonly ledgerOrders: readonly number[];
}

/**
 * A round aggregated securely with distributed discrete Gaussian noise: the
 * clients' shares were calibrated so that the fewest survivors the round
 * accepts already carry the noise, so the server adds nothing (it could not
 * before seeing the sum anyway), and the ledger records this round's
 * `accountedNoiseMultiplier` (`effectiveNoiseMultiplier`, conservative
 * against the distributed discrete Gaussian's RDP).
 */
export interface SecureRoundNoise {
  readonly accountedNoiseMultiplier: number;
  /** The share each member added, as a multiple of C. Default: the plan's `clientNoiseMultiplier`. */
  readonly clientNoiseMultiplier?: number;
}

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

// Rounds remaining are searched by doubling; beyond 2^40 the answer is "more than anyone will run".
const MAX_REMAINING_SEARCH = 2 ** 40;

/**
 * The server's side of user-level DP-FedAvg: the parameters each round asks
 * of clients, the RDP ledger (one Poisson-subsampled Gaussian step (q, z) per
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
  readonly #samplingRate: number;
  readonly #noise: RandomSource;
  readonly #onExhausted: ((spend: PrivacySpend) => void) | undefined;
  readonly #updateNoiseMultiplier: number;
  readonly #perUpdateEpsilon: number | null;
  #ledger: PrivacyLedger;
  #adaptive: AdaptiveClipping | null;
  #epsilonSpent = 0;
  #exhausted = false;
  #remaining = 0;
  #lastClientNoiseMultiplier: number | null = null;
  /** z the last securely aggregated round recorded (below the configured z): budget checks use it from then on. */
  #securelyAccounted: number | null = null;

  constructor(config: PrivacyConfig, samplingRate: number, options: ServerPrivacyOptions = {}) {
    if (!(samplingRate > 0 && samplingRate <= 1)) throw new RangeError(`expected samplingRate in (0, 1], got ${samplingRate}`);
    this.#config = config;
    this.#samplingRate = samplingRate;
    this.#noise = options.noiseSource ?? createCryptoRandomSource();
    this.#onExhausted = options.onExhausted;
    this.#ledger = new PrivacyLedger(options.ledgerOrders === undefined ? {} : { orders: options.ledgerOrders });
    const adaptive = config.adaptiveClipping;
    this.#adaptive =
      adaptive === undefined
        ? null
        : new AdaptiveClipping({
            initialClipNorm: config.clipNorm,
            targetQuantile: adaptive.targetQuantile,
            learningRate: adaptive.learningRate,
            countNoiseStd: adaptive.countNoiseStd,
          });
    // The ledger charges z for update and count together; the update alone gets z_Δ ≥ z (Andrew et al. 2021, Thm. 1).
    this.#updateNoiseMultiplier = adaptive === undefined ? config.noiseMultiplier : updateNoiseMultiplier(config.noiseMultiplier, adaptive.countNoiseStd);
    this.#perUpdateEpsilon =
      config.placement === 'local'
        ? epsilonForMechanisms({ mechanisms: [{ samplingRate: 1, noiseMultiplier: this.#updateNoiseMultiplier, steps: 1 }], delta: config.delta }).epsilon
        : null;
    this.#refresh();
  }

  get budgetExhausted(): boolean {
    return this.#exhausted;
  }

  /** C for the next round. */
  get clipNorm(): number {
    return this.#adaptive?.clipNorm ?? this.#config.clipNorm;
  }

  planRound(eligible: number): PlannedRoundPrivacy | null {
    if (this.#exhausted) return null;
    const { placement, noiseMultiplier, delta } = this.#config;
    const expectedCohort = Math.max(1, this.#samplingRate * eligible);
    const zUpdate = this.#updateNoiseMultiplier;
    const clientNoiseMultiplier = placement === 'local' ? zUpdate : zUpdate / Math.sqrt(expectedCohort);
    this.#lastClientNoiseMultiplier = clientNoiseMultiplier;
    return {
      message: {
        clipNorm: this.clipNorm,
        placement,
        clientNoiseMultiplier,
        accountedNoiseMultiplier: noiseMultiplier,
        samplingRate: this.#samplingRate,
        delta,
      },
      wantsUnclippedBit: this.#adaptive !== null,
      expectedCohort,
      updateNoiseMultiplier: zUpdate,
      ledgerOrders: this.#ledger.orders,
    };
  }

  admitSecureRound(plan: { readonly accountedNoiseMultiplier: number; readonly clientNoiseMultiplier: number }): boolean {
    const { targetEpsilon, delta } = this.#config;
    const z = Math.min(plan.accountedNoiseMultiplier, this.#config.noiseMultiplier);
    if (!this.#ledger.wouldExceed({ samplingRate: this.#samplingRate, noiseMultiplier: z }, targetEpsilon, delta)) {
      this.#lastClientNoiseMultiplier = plan.clientNoiseMultiplier;
      return true;
    }
    // Rounds are charged this z from now on, and not even one more fits: exhausted.
    this.#securelyAccounted = z;
    this.#refresh();
    return false;
  }

  applyRound(plan: PlannedRoundPrivacy, mean: Float64Array, accepted: number, unclippedCount: number, secure?: SecureRoundNoise): number {
    if (!(accepted >= 1)) throw new RangeError(`expected at least one accepted update, got ${accepted}`);
    const { clipNorm, placement, clientNoiseMultiplier } = plan.message;
    if (secure !== undefined) {
      // Never record more noise than the configured z, whatever the discrete bound says.
      const noiseMultiplier = Math.min(secure.accountedNoiseMultiplier, this.#config.noiseMultiplier);
      this.#ledger.record({ samplingRate: this.#samplingRate, noiseMultiplier });
      this.#securelyAccounted = noiseMultiplier;
      this.#adaptive?.update(unclippedCount, plan.expectedCohort, this.#noise);
      this.#refresh();
      // The survivors' shares are all the sum carries (their quantisation error is not counted).
      const shareStd = (secure.clientNoiseMultiplier ?? clientNoiseMultiplier) * clipNorm;
      return (Math.sqrt(accepted) * shareStd) / accepted;
    }
    // Variance of the noise the contributors' own shares put on the sum.
    const shares = accepted * (clientNoiseMultiplier * clipNorm) ** 2;
    let sumVariance = shares;
    if (placement === 'distributed') {
      // Variance of the sum's noise the ledger charges for, minus what the shares brought.
      const target = (plan.updateNoiseMultiplier * clipNorm) ** 2;
      const missing = target - shares;
      // The mean is sum / accepted, so noise σ on the sum is σ / accepted on the mean.
      if (missing > 0) addGaussianNoise(mean, Math.sqrt(missing) / accepted, this.#noise);
      sumVariance = Math.max(target, shares);
    }
    this.#ledger.record({ samplingRate: this.#samplingRate, noiseMultiplier: this.#config.noiseMultiplier });
    this.#adaptive?.update(unclippedCount, plan.expectedCohort, this.#noise);
    this.#refresh();
    return Math.sqrt(sumVariance) / accepted;
  }

  /**
   * Charges `rounds` applied rounds whose ledger entries were lost with an
   * unreadable checkpoint (they were published, so they were spent). Each is
   * charged as the rounds before it were: at the configured z, or the z the
   * last secure round recorded.
   */
  chargeUnrecordedRounds(rounds: number): void {
    if (!(Number.isSafeInteger(rounds) && rounds >= 0)) throw new RangeError(`expected a round count >= 0, got ${rounds}`);
    if (rounds === 0) return;
    const noiseMultiplier = this.#securelyAccounted ?? this.#config.noiseMultiplier;
    this.#ledger.record({ samplingRate: this.#samplingRate, noiseMultiplier, steps: rounds });
    this.#refresh();
  }

  spend(): PrivacySpend {
    return { epsilonSpent: this.#epsilonSpent, targetEpsilon: this.#config.targetEpsilon, delta: this.#config.delta, budgetExhausted: this.#exhausted };
  }

  status(): PrivacyStatus {
    const { delta, targetEpsilon, noiseMultiplier, placement, simulationMode, adaptiveClipping } = this.#config;
    return {
      epsilonSpent: this.#epsilonSpent,
      delta,
      targetEpsilon,
      noiseMultiplier,
      updateNoiseMultiplier: this.#updateNoiseMultiplier,
      clientNoiseMultiplier: this.#lastClientNoiseMultiplier,
      samplingRate: this.#samplingRate,
      clipNorm: this.clipNorm,
      placement,
      simulationMode,
      perUpdateEpsilon: this.#perUpdateEpsilon,
      roundsAccounted: this.#ledger.totalSteps,
      roundsRemaining: this.#remaining,
      budgetExhausted: this.#exhausted,
      adaptiveClipping: adaptiveClipping === undefined ? null : { ...adaptiveClipping },
    };
  }

  /** The ledger's runs, oldest first (for tests and audits). */
  ledgerJson(): PrivacyLedgerJson {
    return this.#ledger.toJSON();
  }

  toJSON(external: unknown = null): ServerPrivacyState {
    return {
      format: SERVER_PRIVACY_FORMAT,
      version: SERVER_PRIVACY_VERSION,
      ledger: this.#ledger.toJSON(),
      clipNorm: this.clipNorm,
      ...(this.#securelyAccounted !== null ? { securelyAccounted: this.#securelyAccounted } : {}),
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
    this.#securelyAccounted = stored.securelyAccounted ?? null;
    this.#ledger = ledger;
    // A changed adaptive-clipping config keeps the bound reached so far; a fixed bound comes from the config.
    if (this.#adaptive !== null) this.#adaptive = AdaptiveClipping.fromJSON({ clipNorm: stored.clipNorm, config: this.#adaptive.config });
    this.#refresh();
    return stored.external ?? null;
  }

  #refresh(): void {
    const { targetEpsilon, delta } = this.#config;
    // Under SecAgg with distributed noise, rounds are charged the (smaller) z they actually record.
    const noiseMultiplier = this.#securelyAccounted ?? this.#config.noiseMultiplier;
    const step = { samplingRate: this.#samplingRate, noiseMultiplier };
    this.#epsilonSpent = this.#ledger.totalSteps === 0 ? 0 : this.#ledger.epsilon(delta).epsilon;
    const fits = (steps: number): boolean => !this.#ledger.wouldExceed({ ...step, steps }, targetEpsilon, delta);
    this.#remaining = largestFitting(fits);
    const wasExhausted = this.#exhausted;
    this.#exhausted = this.#remaining === 0;
    if (this.#exhausted && !wasExhausted) this.#onExhausted?.(this.spend());
  }
}

/** The largest k ≥ 0 with fits(k), for a predicate that holds up to some k and fails after (ε grows with steps). */
function largestFitting(fits: (k: number) => boolean): number {
  if (!fits(1)) return 0;
  let lo = 1;
  let hi = 2;
  while (fits(hi)) {
    lo = hi;
    if (hi >= MAX_REMAINING_SEARCH) return hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
