import type { RandomSource } from '../random/random-source.js';
import { createCryptoRandomSource } from '../random/crypto-random-source.js';
import { addGaussianNoise } from '../random/gaussian.js';
import type { PrivacySpend, RoundPrivacy } from '../protocol/messages.js';
import { AdaptiveClipping, updateNoiseMultiplier } from './adaptive-clipping.js';
import { epsilonForMechanisms } from './mechanisms-epsilon.js';
import { PrivacyLedger } from './privacy-ledger.js';
import type { PrivacyLedgerJson, RecordedMechanism } from './privacy-ledger.js';
import { DEFAULT_ACCOUNTANT, type AccountantName } from './privacy-accountant.js';
import type { RdpOrdersInput } from './rdp-orders.js';

/**
 * Where the Gaussian noise of DP-FedAvg is added: `distributed`, the
 * cohort's sum carries N(0, (z_Δ C)²) once (each member adds a share, the
 * aggregator tops up what is missing); `local`, every member adds
 * N(0, (z_Δ C)²) to their own update.
 */
export type RoundNoisePlacement = 'local' | 'distributed';

/** The DP-FedAvg settings one round policy runs under. */
export interface RoundPrivacyConfig {
  /**
   * z, the noise multiplier the ledger charges per round (update and
   * unclipped count together). 0 means no noise: nothing is recorded and ε
   * is Infinity (the simulator's noise-free baseline; the server requires z > 0).
   */
  readonly noiseMultiplier: number;
  /** The ε budget at `delta`; Infinity for none (the simulator's rounds are fixed in advance). */
  readonly targetEpsilon: number;
  readonly delta: number;
  /** C, the L2 bound on each update (the first round's under adaptive clipping). */
  readonly clipNorm: number;
  readonly placement: RoundNoisePlacement;
  /** q, the Poisson sampling rate of each round. */
  readonly samplingRate: number;
  /**
   * Which accountant turns the ledger into ε (and decides when the budget
   * is spent). Default: rdp. A restored ledger must have been kept with the
   * same one (see `restore`).
   */
  readonly accountant?: AccountantName;
  /** Adaptive clipping (Andrew et al. 2021), fully resolved (no defaults are applied here). */
  readonly adaptiveClipping?: { readonly targetQuantile: number; readonly learningRate: number; readonly countNoiseStd: number };
}

export interface RoundPrivacyOptions {
  /** Noise for the distributed top-up and the unclipped count. Default: the platform CSPRNG; seed it only in tests and simulations. */
  readonly noiseSource?: RandomSource;
  /** Called once when the budget runs out (including on restoring an exhausted ledger). */
  readonly onExhausted?: (spend: PrivacySpend) => void;
  /** Orders of a fresh ledger (a restored one keeps its own). Default: the dp-accounting preset. */
  readonly ledgerOrders?: RdpOrdersInput;
}

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
 * accepts already carry the noise, so nothing is added to the sum, and the
 * ledger records this round's `accountedNoiseMultiplier` (clamped by
 * {@link securelyAccountedNoiseMultiplier}).
 */
export interface SecureRoundNoise {
  readonly accountedNoiseMultiplier: number;
  /** The share each member added, as a multiple of C. Default: the plan's `clientNoiseMultiplier`. */
  readonly clientNoiseMultiplier?: number;
}

/**
 * The z a securely aggregated round records: the accounted multiplier of
 * its distributed discrete Gaussian, never more than the configured z
 * (whatever the discrete bound says, the ledger never credits more noise
 * than the configuration promises). The one place this clamp lives.
 *
 * @example
 * securelyAccountedNoiseMultiplier(1.3, 1.1); // 1.1
 */
export function securelyAccountedNoiseMultiplier(accountedNoiseMultiplier: number, configuredNoiseMultiplier: number): number {
  return Math.min(accountedNoiseMultiplier, configuredNoiseMultiplier);
}

// Rounds remaining are searched by doubling; beyond 2^40 the answer is "more than anyone will run".
const MAX_REMAINING_SEARCH = 2 ** 40;

/**
 * The round policy of user-level DP-FedAvg, shared by the server and the
 * simulator (every published accuracy-versus-ε figure comes from the
 * simulator, so both must run this one implementation): what each round asks
 * of clients (clip bound, each member's noise multiplier), the noise the
 * aggregate must carry, the ledger (RDP or PLD, `config.accountant`; one Poisson-subsampled Gaussian step
 * (q, z) per applied round), the budget check, and adaptive clipping.
 *
 * With adaptive clipping the ledger charges z for update and count together
 * and the update alone gets z_Δ ≥ z (see `updateNoiseMultiplier`).
 *
 * @example
 * const policy = new DpFedAvgRoundPolicy({ noiseMultiplier: 1.1, targetEpsilon: 3, delta: 1e-5, clipNorm: 1, placement: 'distributed', samplingRate: 0.1 });
 * const plan = policy.planRound(1000); // null: budget exhausted
 * const sigma = policy.applyRound(plan!, mean, accepted, unclippedCount); // σ on each coordinate of the mean
 * policy.epsilonSpent;
 */
export class DpFedAvgRoundPolicy {
  readonly config: RoundPrivacyConfig;
  readonly #noise: RandomSource;
  readonly #onExhausted: ((spend: PrivacySpend) => void) | undefined;
  readonly #updateNoiseMultiplier: number;
  #ledger: PrivacyLedger;
  #adaptive: AdaptiveClipping | null;
  #epsilonSpent = 0;
  #exhausted = false;
  /** Computed on demand: under PLD every probe is a composition, and only `roundsRemaining` needs more than one. */
  #remaining: number | null = null;
  #lastClientNoiseMultiplier: number | null = null;
  /** z the last securely aggregated round recorded (at most the configured z): budget checks use it from then on. */
  #securelyAccounted: number | null = null;

  constructor(config: RoundPrivacyConfig, options: RoundPrivacyOptions = {}) {
    const { samplingRate, noiseMultiplier, adaptiveClipping } = config;
    if (!(samplingRate > 0 && samplingRate <= 1)) throw new RangeError(`expected samplingRate in (0, 1], got ${samplingRate}`);
    if (!(noiseMultiplier >= 0 && Number.isFinite(noiseMultiplier))) throw new RangeError(`expected noiseMultiplier >= 0 and finite, got ${noiseMultiplier}`);
    this.config = config;
    this.#noise = options.noiseSource ?? createCryptoRandomSource();
    this.#onExhausted = options.onExhausted;
    const accountant = config.accountant ?? DEFAULT_ACCOUNTANT;
    this.#ledger = new PrivacyLedger(options.ledgerOrders === undefined ? { accountant } : { orders: options.ledgerOrders, accountant });
    this.#adaptive =
      adaptiveClipping === undefined
        ? null
        : new AdaptiveClipping({
            initialClipNorm: config.clipNorm,
            targetQuantile: adaptiveClipping.targetQuantile,
            learningRate: adaptiveClipping.learningRate,
            countNoiseStd: adaptiveClipping.countNoiseStd,
          });
    // The ledger charges z for update and count together; the update alone gets z_Δ ≥ z (Andrew et al. 2021, Thm. 1).
    this.#updateNoiseMultiplier =
      adaptiveClipping === undefined || noiseMultiplier === 0 ? noiseMultiplier : updateNoiseMultiplier(noiseMultiplier, adaptiveClipping.countNoiseStd);
    this.#refresh();
  }

  /** C for the next round. */
  get clipNorm(): number {
    return this.#adaptive?.clipNorm ?? this.config.clipNorm;
  }

  /** z_Δ, the noise multiplier of the update part (z without adaptive clipping). */
  get updateNoiseMultiplier(): number {
    return this.#updateNoiseMultiplier;
  }

  /** ε spent so far at `delta` (0 before the first round; Infinity without noise). */
  get epsilonSpent(): number {
    return this.#epsilonSpent;
  }

  get budgetExhausted(): boolean {
    return this.#exhausted;
  }

  /** Further rounds at (q, z) that fit within the target (Infinity without noise). */
  get roundsRemaining(): number {
    if (this.#remaining === null) this.#remaining = this.#exhausted ? 0 : largestFitting(this.#fits());
    return this.#remaining;
  }

  /** The accountant the ledger reports ε with. */
  get accountant(): AccountantName {
    return this.#ledger.accountant;
  }

  /** Rounds charged so far. */
  get roundsAccounted(): number {
    return this.#ledger.totalSteps;
  }

  /** The noise multiplier the last planned (or admitted secure) round asked each client to add; null before the first. */
  get lastClientNoiseMultiplier(): number | null {
    return this.#lastClientNoiseMultiplier;
  }

  /** z the last securely aggregated round recorded; null before one. */
  get securelyAccounted(): number | null {
    return this.#securelyAccounted;
  }

  /**
   * `local` only: ε of one update on its own (Gaussian mechanism at z_Δ,
   * q = 1, one step, at `delta`); null for `distributed` or without noise.
   */
  perUpdateEpsilon(): number | null {
    if (this.config.placement !== 'local' || this.#updateNoiseMultiplier === 0) return null;
    return epsilonForMechanisms({
      mechanisms: [{ samplingRate: 1, noiseMultiplier: this.#updateNoiseMultiplier, steps: 1 }],
      delta: this.config.delta,
      accountant: this.#ledger.accountant,
    }).epsilon;
  }

  /** The parameters for a round about to open among `eligible` clients, or null when the budget cannot afford it. */
  planRound(eligible: number): PlannedRoundPrivacy | null {
    if (this.#exhausted) return null;
    const { placement, noiseMultiplier, delta, samplingRate } = this.config;
    const expectedCohort = Math.max(1, samplingRate * eligible);
    const zUpdate = this.#updateNoiseMultiplier;
    // Distributed: m shares of N(0, (z_Δ C)²/m) sum to the aggregate's N(0, (z_Δ C)²).
    const clientNoiseMultiplier = placement === 'local' ? zUpdate : zUpdate / Math.sqrt(expectedCohort);
    this.#lastClientNoiseMultiplier = clientNoiseMultiplier;
    return {
      message: { clipNorm: this.clipNorm, placement, clientNoiseMultiplier, accountedNoiseMultiplier: noiseMultiplier, samplingRate, delta },
      wantsUnclippedBit: this.#adaptive !== null,
      expectedCohort,
      updateNoiseMultiplier: zUpdate,
      ledgerOrders: this.#ledger.orders,
    };
  }

  /**
   * Admits a secure round as planned for its cohort: whether recording its
   * accounted z still fits the target (if not, the budget is exhausted from
   * now on and the round must not open).
   */
  admitSecureRound(plan: { readonly accountedNoiseMultiplier: number; readonly clientNoiseMultiplier: number }): boolean {
    const { targetEpsilon, delta, samplingRate } = this.config;
    const z = securelyAccountedNoiseMultiplier(plan.accountedNoiseMultiplier, this.config.noiseMultiplier);
    if (!this.#ledger.wouldExceed({ samplingRate, noiseMultiplier: z }, targetEpsilon, delta)) {
      this.#lastClientNoiseMultiplier = plan.clientNoiseMultiplier;
      return true;
    }
    // Rounds are charged this z from now on, and not even one more fits: exhausted.
    this.#securelyAccounted = z;
    this.#refresh();
    return false;
  }

  /**
   * Called once per applied round with the mean of its `accepted` updates,
   * before the optimiser step: tops up the aggregate's noise where needed
   * (drawn from the policy's noise source), then `recordRound`. Returns σ,
   * the standard deviation of the Gaussian noise each coordinate of the
   * (topped-up) mean now carries: what a denoising optimiser thresholds at.
   */
  applyRound(plan: PlannedRoundPrivacy, mean: Float64Array, accepted: number, unclippedCount: number, secure?: SecureRoundNoise): number {
    if (!(accepted >= 1)) throw new RangeError(`expected at least one accepted update, got ${accepted}`);
    const { clipNorm, placement, clientNoiseMultiplier } = plan.message;
    if (secure !== undefined) {
      this.recordRound(plan, unclippedCount, { secure });
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
    this.recordRound(plan, unclippedCount);
    return Math.sqrt(sumVariance) / accepted;
  }

  /**
   * A one-off release accounted in the same ledger as the rounds (e.g. a
   * private popularity release), so that the ε the policy reports covers
   * it. Record it before the value it releases is used.
   */
  recordRelease(mechanism: RecordedMechanism): void {
    this.#ledger.record(mechanism);
    this.#refresh();
  }

  /**
   * What every round records, whoever drew its noise: one step (q, z) in
   * the ledger (z clamped for a secure round; nothing without noise), and the
   * clip bound moved by the noised unclipped count. `applyRound` calls it;
   * the simulator calls it directly because it draws the aggregate's noise
   * itself, on the sum, from its own seeded stream. `countNoise` (default:
   * the policy's noise source) draws the count's noise. A round with no
   * contributors is still recorded (Poisson sampling charges it all the same).
   */
  recordRound(plan: PlannedRoundPrivacy, unclippedCount: number, options: { readonly secure?: SecureRoundNoise; readonly countNoise?: RandomSource } = {}): void {
    const { secure, countNoise = this.#noise } = options;
    const { samplingRate, noiseMultiplier: configured } = this.config;
    if (secure !== undefined) {
      const noiseMultiplier = securelyAccountedNoiseMultiplier(secure.accountedNoiseMultiplier, configured);
      this.#ledger.record({ samplingRate, noiseMultiplier });
      this.#securelyAccounted = noiseMultiplier;
    } else if (configured > 0) {
      this.#ledger.record({ samplingRate, noiseMultiplier: configured });
    }
    this.#adaptive?.update(unclippedCount, plan.expectedCohort, countNoise);
    this.#refresh();
  }

  /**
   * Charges `rounds` applied rounds whose ledger entries were lost (they
   * were published, so they were spent), each at the z the rounds before it
   * were charged: the configured z, or the z the last secure round recorded.
   */
  chargeUnrecordedRounds(rounds: number): void {
    if (!(Number.isSafeInteger(rounds) && rounds >= 0)) throw new RangeError(`expected a round count >= 0, got ${rounds}`);
    if (rounds === 0) return;
    const noiseMultiplier = this.#securelyAccounted ?? this.config.noiseMultiplier;
    this.#ledger.record({ samplingRate: this.config.samplingRate, noiseMultiplier, steps: rounds });
    this.#refresh();
  }

  /** The budget as announced to clients. */
  spend(): PrivacySpend {
    return { epsilonSpent: this.#epsilonSpent, targetEpsilon: this.config.targetEpsilon, delta: this.config.delta, budgetExhausted: this.#exhausted };
  }

  /** The ledger's runs, oldest first. */
  ledgerJson(): PrivacyLedgerJson {
    return this.#ledger.toJSON();
  }

  /**
   * Takes over a ledger, clip bound and secure z restored from a checkpoint
   * (already validated by the caller). Under adaptive clipping the bound
   * reached so far is kept even if the adaptive config changed; a fixed bound
   * comes from the config.
   */
  restore(state: { readonly ledger: PrivacyLedger; readonly clipNorm: number; readonly securelyAccounted: number | null }): void {
    // ε already announced under one accountant must not jump when another re-reads the same runs.
    if (state.ledger.accountant !== this.#ledger.accountant) {
      throw new RangeError(`expected a ledger kept with the ${this.#ledger.accountant} accountant, got one kept with ${state.ledger.accountant}`);
    }
    this.#securelyAccounted = state.securelyAccounted;
    this.#ledger = state.ledger;
    if (this.#adaptive !== null) this.#adaptive = AdaptiveClipping.fromJSON({ clipNorm: state.clipNorm, config: this.#adaptive.config });
    this.#refresh();
  }

  /** Whether k more rounds at the z rounds are charged now still fit the target. */
  #fits(): (steps: number) => boolean {
    const { targetEpsilon, delta, samplingRate } = this.config;
    // Under SecAgg with distributed noise, rounds are charged the (smaller) z they actually record.
    const step = { samplingRate, noiseMultiplier: this.#securelyAccounted ?? this.config.noiseMultiplier };
    return (steps) => !this.#ledger.wouldExceed({ ...step, steps }, targetEpsilon, delta);
  }

  #refresh(): void {
    const { targetEpsilon, delta } = this.config;
    if (this.config.noiseMultiplier === 0) {
      // No noise, no guarantee: nothing to spend from, nothing to stop.
      this.#epsilonSpent = Infinity;
      this.#remaining = Infinity;
      return;
    }
    this.#epsilonSpent = this.#ledger.totalSteps === 0 ? 0 : this.#ledger.epsilon(delta).epsilon;
    this.#remaining = null;
    const wasExhausted = this.#exhausted;
    // Without a finite target every round fits; skip the probe (under PLD it is a composition).
    this.#exhausted = Number.isFinite(targetEpsilon) ? !this.#fits()(1) : false;
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
