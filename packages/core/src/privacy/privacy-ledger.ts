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
 */
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

/** The stored form. σ = ∞ is written as the string "Infinity", which JSON cannot otherwise hold. */
export interface PrivacyLedgerJson {
  readonly format: typeof PRIVACY_LEDGER_FORMAT;
  readonly version: typeof PRIVACY_LEDGER_VERSION;
  readonly orders: readonly number[];
  readonly entries: readonly {
    readonly samplingRate: number;
    readonly noiseMultiplier: number | 'Infinity';
    readonly steps: number;
  }[];
}

export interface PrivacyLedgerOptions {
  /** Default: the dp-accounting preset. */
  readonly orders?: RdpOrdersInput;
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
  readonly #closed: Float64Array;
  readonly #runs: Run[] = [];
  #openPerStep: readonly number[] | undefined;
  readonly #cache = new Map<string, readonly number[]>();

  constructor(options: PrivacyLedgerOptions = {}) {
    this.orders = resolveRdpOrders(options.orders ?? DEFAULT_RDP_ORDER_PRESET);
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

  /** ε spent so far at the given δ. */
  epsilon(delta: number, conversion: DpConversion = 'improved'): EpsilonResult {
    return rdpToEpsilon(this.orders, this.rdp(), delta, conversion);
  }

  /** δ spent so far at the given ε. */
  delta(epsilon: number, conversion: DpConversion = 'improved'): DeltaResult {
    return rdpToDelta(this.orders, this.rdp(), epsilon, conversion);
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
    return rdpToEpsilon(this.orders, total, delta, conversion).epsilon > targetEpsilon;
  }

  toJSON(): PrivacyLedgerJson {
    return {
      format: PRIVACY_LEDGER_FORMAT,
      version: PRIVACY_LEDGER_VERSION,
      orders: [...this.orders],
      entries: this.#runs.map(({ samplingRate, noiseMultiplier, steps }) => ({
        samplingRate,
        noiseMultiplier: noiseMultiplier === Infinity ? 'Infinity' : noiseMultiplier,
        steps,
      })),
    };
  }

  /**
   * Restores a ledger from `toJSON()`'s output (or its JSON text). Throws
   * TypeError or RangeError on anything else rather than resuming a job with
   * a wrong budget.
   */
  static fromJSON(value: unknown): PrivacyLedger {
    let data: unknown = value;
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data);
      } catch (error) {
        throw new TypeError(`expected privacy ledger JSON text, got unparseable text (${(error as Error).message})`);
      }
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new TypeError(`expected a privacy ledger object, got ${data === null ? 'null' : Array.isArray(data) ? 'array' : typeof data}`);
    }
    const record = data as Record<string, unknown>;
    if (record['format'] !== PRIVACY_LEDGER_FORMAT) {
      throw new RangeError(`expected format "${PRIVACY_LEDGER_FORMAT}", got ${JSON.stringify(record['format'])}`);
    }
    if (record['version'] !== PRIVACY_LEDGER_VERSION) {
      throw new RangeError(`expected version ${PRIVACY_LEDGER_VERSION}, got ${JSON.stringify(record['version'])}`);
    }
    const orders = record['orders'];
    const entries = record['entries'];
    if (!Array.isArray(orders)) throw new TypeError(`expected orders to be an array, got ${typeof orders}`);
    if (!Array.isArray(entries)) throw new TypeError(`expected entries to be an array, got ${typeof entries}`);
    const ledger = new PrivacyLedger({ orders: orders as unknown[] as number[] });
    entries.forEach((entry: unknown, i) => {
      if (typeof entry !== 'object' || entry === null) {
        throw new TypeError(`expected entries[${i}] to be an object, got ${entry === null ? 'null' : typeof entry}`);
      }
      const e = entry as Record<string, unknown>;
      const sigma = e['noiseMultiplier'] === 'Infinity' ? Infinity : e['noiseMultiplier'];
      const mechanism = { samplingRate: e['samplingRate'], noiseMultiplier: sigma, steps: e['steps'] };
      assertMechanism(mechanism, `entries[${i}]`);
      ledger.record(mechanism);
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
