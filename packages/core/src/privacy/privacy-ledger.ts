/**
 * A running record of the privacy spent by a federated training job.
 *
 * The server records each round's mechanism as it happens; the ledger keeps
 * the composed RDP per order so that ε can be read at any time, and so that
 * a round that would overspend the budget can be refused before it runs.
 *
 * Consecutive rounds with the same (q, σ) are merged into one run, and a run's
 * cost is added to the total only when it closes (steps × per-step RDP in one
 * multiplication). That keeps 10,000 identical rounds at O(orders) work, and
 * makes the arithmetic depend only on the runs, so a ledger restored with
 * `fromJSON` reports bit-for-bit the ε of the one that was saved.
 *
 * With `accountant: 'pld'` ε and δ come from privacy loss distributions of
 * the recorded runs (pld-accountant.ts), capped by the RDP bound, which is
 * kept all the same (cheap, and a budget check it passes needs no PLD). The
 * stored form names the accountant so that a restored ledger keeps reporting
 * the ε it reported before; without the field it is `rdp`, as every ledger
 * saved before the choice existed.
 */
import * as z from '../zod.js';
import { parseSavedJson, parseSavedState, SavedStateError } from '../state/saved-state.js';
import { pldDelta, pldEpsilon } from './pld-accountant.js';
import { ACCOUNTANT_NAMES, DEFAULT_ACCOUNTANT, type AccountantName } from './privacy-accountant.js';
import { assertMechanism, assertSteps, type SubsampledGaussianMechanism } from './privacy-params.js';
import { DEFAULT_RDP_ORDER_PRESET, resolveRdpOrders, type RdpOrdersInput } from './rdp-orders.js';
import { subsampledGaussianRdpVector } from './rdp-subsampled-gaussian.js';
import { rdpToDelta, rdpToEpsilon, type DeltaResult, type DpConversion, type EpsilonResult } from './rdp-to-dp.js';

/** A mechanism as passed to `record`: `steps` defaults to 1 (one round). */
export interface RecordedMechanism {
  readonly samplingRate: number;
  readonly noiseMultiplier: number;
  readonly steps?: number;
}

export const PRIVACY_LEDGER_FORMAT = 'fedrec.privacy-ledger';
export const PRIVACY_LEDGER_VERSION = 1;

/**
 * The stored form. σ = ∞ is written as the string "Infinity", which JSON
 * cannot otherwise hold. `accountant` is written only when it is not `rdp`,
 * so an RDP ledger's bytes are what they were before the field existed.
 */
export interface PrivacyLedgerJson {
  readonly format: typeof PRIVACY_LEDGER_FORMAT;
  readonly version: typeof PRIVACY_LEDGER_VERSION;
  readonly accountant?: AccountantName;
  readonly orders: readonly number[];
  readonly entries: readonly {
    readonly samplingRate: number;
    readonly noiseMultiplier: number | 'Infinity';
    readonly steps: number;
  }[];
}

const WHAT = 'privacy ledger';

/**
 * What `fromJSON` accepts: `PrivacyLedgerJson`, with each field held to the
 * bounds `record` enforces (so a bad entry is named by its path). Fields it
 * does not know are ignored, as they always were.
 */
const privacyLedgerJsonSchema = z.object({
  format: z.literal(PRIVACY_LEDGER_FORMAT),
  version: z.literal(PRIVACY_LEDGER_VERSION),
  accountant: z.optional(z.enum(ACCOUNTANT_NAMES as [AccountantName, ...AccountantName[]])),
  // Order 1 is the KL divergence, which the conversions cannot evaluate (see `validateRdpOrders`); z.number() is finite.
  orders: z.array(z.number().check(z.gt(1))).check(z.minLength(1)),
  entries: z.array(
    z.object({
      samplingRate: z.number().check(z.gte(0), z.lte(1)),
      noiseMultiplier: z.pipe(
        z.union([z.number().check(z.gte(0)), z.literal('Infinity'), z.literal(Infinity)], { error: 'expected a number >= 0 or "Infinity"' }),
        z.transform((sigma) => (sigma === 'Infinity' ? Infinity : sigma)),
      ),
      steps: z.number().check(z.int(), z.gte(0)),
    }),
  ),
  // What the schema accepts must be a `PrivacyLedgerJson`, so the two cannot drift apart.
}) satisfies z.ZodMiniType<unknown, PrivacyLedgerJson>;

export interface PrivacyLedgerOptions {
  /** Default: the dp-accounting preset. */
  readonly orders?: RdpOrdersInput;
  /** Which accountant turns the runs into ε and δ. Default: rdp. */
  readonly accountant?: AccountantName;
}

interface Run {
  readonly samplingRate: number;
  readonly noiseMultiplier: number;
  steps: number;
}

// Per-step RDP vectors of recently seen (q, σ), for jobs that alternate
// between a few settings; bounded so a job that changes σ every round does
// not grow memory with the number of rounds.
const CACHE_SIZE = 16;

function normalise(next: RecordedMechanism, name: string): SubsampledGaussianMechanism {
  if (typeof next !== 'object' || next === null) {
    throw new TypeError(`expected ${name} to be an object, got ${next === null ? 'null' : typeof next}`);
  }
  const mechanism = { samplingRate: next.samplingRate, noiseMultiplier: next.noiseMultiplier, steps: next.steps ?? 1 };
  assertMechanism(mechanism, name);
  return mechanism;
}

export class PrivacyLedger {
  readonly orders: readonly number[];
  readonly accountant: AccountantName;
  readonly #closed: Float64Array;
  readonly #runs: Run[] = [];
  #openPerStep: readonly number[] | undefined;
  readonly #cache = new Map<string, readonly number[]>();

  constructor(options: PrivacyLedgerOptions = {}) {
    this.orders = resolveRdpOrders(options.orders ?? DEFAULT_RDP_ORDER_PRESET);
    const accountant = options.accountant ?? DEFAULT_ACCOUNTANT;
    if (!ACCOUNTANT_NAMES.includes(accountant)) throw new RangeError(`expected accountant 'rdp' or 'pld', got ${String(accountant)}`);
    this.accountant = accountant;
    this.#closed = new Float64Array(this.orders.length);
  }

  /** Adds `steps` (default 1) compositions of the subsampled Gaussian mechanism (q, σ). */
  record(next: RecordedMechanism): void {
    const { samplingRate, noiseMultiplier, steps } = normalise(next, 'mechanism');
    if (steps === 0) return;
    const open = this.#runs[this.#runs.length - 1];
    if (open !== undefined && open.samplingRate === samplingRate && open.noiseMultiplier === noiseMultiplier) {
      const merged = open.steps + steps;
      assertSteps(merged, 'total steps of a run');
      open.steps = merged;
      return;
    }
    const perStep = this.#perStep(samplingRate, noiseMultiplier);
    if (open !== undefined && this.#openPerStep !== undefined) this.#addRun(this.#closed, open.steps, this.#openPerStep);
    this.#runs.push({ samplingRate, noiseMultiplier, steps });
    this.#openPerStep = perStep;
  }

  /** The composed RDP at each of `orders`. */
  rdp(): number[] {
    const total = Float64Array.from(this.#closed);
    const open = this.#runs[this.#runs.length - 1];
    if (open !== undefined && this.#openPerStep !== undefined) this.#addRun(total, open.steps, this.#openPerStep);
    return Array.from(total);
  }

  /** The recorded runs, oldest first, with consecutive identical mechanisms merged. */
  entries(): SubsampledGaussianMechanism[] {
    return this.#runs.map(({ samplingRate, noiseMultiplier, steps }) => ({ samplingRate, noiseMultiplier, steps }));
  }

  /** Total steps recorded, whatever their mechanism. */
  get totalSteps(): number {
    return this.#runs.reduce((sum, run) => sum + run.steps, 0);
  }

  /**
   * ε spent so far at the given δ. Under `pld`, the smaller of the PLD and
   * RDP bounds (both hold); `order` is NaN when the PLD one is smaller.
   */
  epsilon(delta: number, conversion: DpConversion = 'improved'): EpsilonResult {
    const rdp = rdpToEpsilon(this.orders, this.rdp(), delta, conversion);
    if (this.accountant === 'rdp' || this.totalSteps === 0) return rdp;
    const pld = pldEpsilon(this.entries(), delta);
    return pld < rdp.epsilon ? { epsilon: pld, order: NaN } : rdp;
  }

  /** δ spent so far at the given ε; under `pld` as `epsilon` (order NaN when PLD's is smaller). */
  delta(epsilon: number, conversion: DpConversion = 'improved'): DeltaResult {
    const rdp = rdpToDelta(this.orders, this.rdp(), epsilon, conversion);
    if (this.accountant === 'rdp' || this.totalSteps === 0) return rdp;
    const pld = pldDelta(this.entries(), epsilon);
    return pld < rdp.delta ? { delta: pld, order: NaN } : rdp;
  }

  /** Whether recording `next` as well would take ε above `targetEpsilon` at `delta`. Records nothing. */
  wouldExceed(next: RecordedMechanism, targetEpsilon: number, delta: number, conversion: DpConversion = 'improved'): boolean {
    const { samplingRate, noiseMultiplier, steps } = normalise(next, 'next');
    if (typeof targetEpsilon !== 'number') {
      throw new TypeError(`expected targetEpsilon to be a number, got ${typeof targetEpsilon}`);
    }
    if (Number.isNaN(targetEpsilon)) throw new RangeError('expected targetEpsilon to be a number, got NaN');
    const total = this.rdp();
    if (steps > 0) {
      const perStep = this.#perStep(samplingRate, noiseMultiplier);
      total.forEach((v, k) => {
        const add = perStep[k] as number;
        total[k] = add === 0 ? v : v + steps * add;
      });
    }
    const rdpExceeds = rdpToEpsilon(this.orders, total, delta, conversion).epsilon > targetEpsilon;
    // RDP's ε bounds PLD's from above: only a round RDP refuses needs the PLD composition.
    if (!rdpExceeds || this.accountant === 'rdp') return rdpExceeds;
    const entries = this.entries();
    if (steps > 0) entries.push({ samplingRate, noiseMultiplier, steps });
    return pldEpsilon(entries, delta) > targetEpsilon;
  }

  toJSON(): PrivacyLedgerJson {
    return {
      format: PRIVACY_LEDGER_FORMAT,
      version: PRIVACY_LEDGER_VERSION,
      ...(this.accountant === 'rdp' ? {} : { accountant: this.accountant }),
      orders: [...this.orders],
      entries: this.#runs.map(({ samplingRate, noiseMultiplier, steps }) => ({
        samplingRate,
        noiseMultiplier: noiseMultiplier === Infinity ? 'Infinity' : noiseMultiplier,
        steps,
      })),
    };
  }

  /**
   * Restores a ledger from `toJSON()`'s output (or its JSON text). Throws a
   * `SavedStateError` ('CORRUPT_STATE', naming the first bad field) on
   * anything else rather than resume a job with a wrong budget.
   *
   * @example
   * const ledger = PrivacyLedger.fromJSON(await readFile('ledger.json', 'utf8'));
   * ledger.epsilon(1e-5).epsilon; // the ε of the ledger that was saved
   */
  static fromJSON(value: unknown): PrivacyLedger {
    const data = parseSavedState(privacyLedgerJsonSchema, typeof value === 'string' ? parseSavedJson(value, WHAT) : value, WHAT);
    const ledger = new PrivacyLedger({ orders: data.orders, accountant: data.accountant ?? DEFAULT_ACCOUNTANT });
    data.entries.forEach((entry, i) => {
      try {
        ledger.record(entry);
      } catch (error) {
        // Every field passed the schema; only merging two runs can still fail, when their steps add up past 2^53.
        if (error instanceof RangeError) throw new SavedStateError('CORRUPT_STATE', `entries.${i}.steps`, 'the run it continues would exceed 2^53 - 1 steps', WHAT);
        throw error;
      }
    });
    return ledger;
  }

  #perStep(samplingRate: number, noiseMultiplier: number): readonly number[] {
    const key = `${samplingRate}|${noiseMultiplier}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      // Re-insert so Map order doubles as recency order.
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const vector = Object.freeze(subsampledGaussianRdpVector(samplingRate, noiseMultiplier, this.orders));
    this.#cache.set(key, vector);
    if (this.#cache.size > CACHE_SIZE) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    return vector;
  }

  #addRun(target: Float64Array, steps: number, perStep: readonly number[]): void {
    for (let k = 0; k < target.length; k++) {
      const v = perStep[k] as number;
      // 0 · Infinity would be NaN; a free step adds nothing.
      if (v !== 0) target[k] = (target[k] as number) + steps * v;
    }
  }
}
