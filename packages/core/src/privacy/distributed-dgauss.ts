/**
 * Calibration and privacy accounting of the distributed discrete Gaussian
 * (Kairouz, Liu, Steinke, "The Distributed Discrete Gaussian Mechanism for
 * Federated Learning with Secure Aggregation", ICML 2021, arXiv:2102.06387).
 *
 * Each of n clients adds N_ℤ(0, σ²) noise to its scaled, rounded update;
 * secure aggregation reveals only the sum, whose noise has variance ≈ nσ².
 * A sum of discrete Gaussians is close to, but not exactly, a discrete
 * Gaussian: Theorem 1 of the paper bounds the gap by
 *   τ = 10 · Σ_{k=1}^{n−1} exp(−2π²σ² · k/(k+1))   (requires σ ≥ 1/2),
 * and Proposition 14 (Eq. 17) turns it into an RDP bound at every order
 * α ≥ 1, with Δ₂, Δ₁ the L2/L1 sensitivities in integer units and d the
 * dimension:
 *   ε(α) = min{ α/2 · Δ₂²/(nσ²) + τd,
 *               α/2 · (Δ₂²/(nσ²) + 2τΔ₁/(√n σ) + τ²d),
 *               α/2 · (Δ₂/(√n σ) + τ√d)² }.
 * The formulas follow the authors' accountant (google-research/federated,
 * distributed_dp/accounting_utils.py), so figures can be compared with theirs.
 *
 * Dropouts: the sum holds the noise of the *survivors* only. Calibrate with
 * `clients` = the fewest survivors the server accepts (the SecAgg threshold
 * or a stricter minimum): more survivors only add noise.
 */
import { logAbsBinomial, logSumExp } from './log-math.js';
import { DEFAULT_RDP_ORDER_PRESET, resolveRdpOrders, type RdpOrdersInput } from './rdp-orders.js';
import { subsampledGaussianRdp } from './rdp-subsampled-gaussian.js';
import { rational, rationalFromNumber, type Rational } from './rational.js';
import type { VarianceInput } from './discrete-gaussian.js';

export interface DistributedDiscreteGaussianParams {
  /** n: clients whose noise is summed (the minimum number of survivors). */
  readonly clients: number;
  /** σ of each client's N_ℤ(0, σ²) noise, in integer (scaled) units; ≥ 1/2. */
  readonly localSigma: number;
  /** Δ₂: L2 norm bound of one client's scaled, rounded vector (see `roundedL2Sensitivity`). */
  readonly l2Sensitivity: number;
  /** Δ₁: L1 norm bound; default min(√d·Δ₂, Δ₂²), valid for integer vectors. */
  readonly l1Sensitivity?: number;
  /** d: number of coordinates. */
  readonly dimension: number;
}

function assertPositiveInteger(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`expected ${name} to be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`expected ${name} to be a positive integer, got ${value}`);
}

function assertNonNegative(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`expected ${name} to be a number, got ${typeof value}`);
  if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`expected ${name} to be finite and >= 0, got ${value}`);
}

function assertSamplingRate(value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`expected samplingRate to be a number, got ${typeof value}`);
  if (!(value >= 0 && value <= 1)) throw new RangeError(`expected samplingRate in [0, 1], got ${value}`);
}

function assertParams(params: DistributedDiscreteGaussianParams): void {
  if (typeof params !== 'object' || params === null) throw new TypeError('expected params to be an object');
  assertPositiveInteger(params.clients, 'clients');
  assertPositiveInteger(params.dimension, 'dimension');
  assertNonNegative(params.l2Sensitivity, 'l2Sensitivity');
  if (params.l1Sensitivity !== undefined) assertNonNegative(params.l1Sensitivity, 'l1Sensitivity');
  assertNonNegative(params.localSigma, 'localSigma');
  // Theorem 1 of the paper is stated for σ ≥ 1/2.
  if (!(params.localSigma >= 0.5)) throw new RangeError(`expected localSigma >= 0.5 (Kairouz et al. 2021, Thm. 1), got ${params.localSigma}`);
}

/** σ of each client's noise so that n clients' noise sums to σ_total: σ_total/√n (variances add). */
export function perClientSigma(totalSigma: number, clients: number): number {
  assertNonNegative(totalSigma, 'totalSigma');
  assertPositiveInteger(clients, 'clients');
  return totalSigma / Math.sqrt(clients);
}

/** σ_total²/n exactly, as the rational the discrete Gaussian sampler takes. */
export function perClientVariance(totalSigmaSquared: VarianceInput, clients: number): Rational {
  assertPositiveInteger(clients, 'clients');
  if (typeof totalSigmaSquared !== 'number' && (typeof totalSigmaSquared !== 'object' || totalSigmaSquared === null)) {
    throw new TypeError(`expected totalSigmaSquared to be a number or a rational, got ${totalSigmaSquared === null ? 'null' : typeof totalSigmaSquared}`);
  }
  const total = typeof totalSigmaSquared === 'number' ? rationalFromNumber(totalSigmaSquared) : rational(totalSigmaSquared.numerator, totalSigmaSquared.denominator);
  return rational(total.numerator, total.denominator * BigInt(clients));
}

/**
 * L2 norm bound after scaling by 1/γ and unbiased randomised rounding: each
 * coordinate moves by less than 1, so ‖round(x/γ)‖₂ ≤ C/γ + √d (the β = 0
 * case of the paper's rounding analysis, §4.1).
 */
export function roundedL2Sensitivity(clipNorm: number, granularity: number, dimension: number): number {
  assertNonNegative(clipNorm, 'clipNorm');
  assertPositiveInteger(dimension, 'dimension');
  if (!(granularity > 0 && Number.isFinite(granularity))) throw new RangeError(`expected granularity to be finite and > 0, got ${granularity}`);
  return clipNorm / granularity + Math.sqrt(dimension);
}

/** τ of Theorem 1: how far a sum of n discrete Gaussians N_ℤ(0, σ²) is from N_ℤ(0, nσ²). */
export function sumOfDiscreteGaussiansTau(localSigma: number, clients: number): number {
  assertPositiveInteger(clients, 'clients');
  assertNonNegative(localSigma, 'localSigma');
  const c = 2 * Math.PI * Math.PI * localSigma * localSigma;
  let sum = 0;
  for (let k = 1; k < clients; k++) sum += Math.exp((-c * k) / (k + 1));
  return 10 * sum;
}

/** RDP at order α ≥ 1 of one release of the distributed discrete Gaussian (all n clients, no subsampling). */
export function distributedDiscreteGaussianRdp(params: DistributedDiscreteGaussianParams, order: number): number {
  assertParams(params);
  if (!(order >= 1 && Number.isFinite(order))) throw new RangeError(`expected order to be finite and >= 1, got ${order}`);
  return unsampledRdp(params)(order);
}

/** Proposition 14 as a function of α, with τ and the scales computed once. */
function unsampledRdp(params: DistributedDiscreteGaussianParams): (order: number) => number {
  const { clients, localSigma, l2Sensitivity, dimension } = params;
  const tau = sumOfDiscreteGaussiansTau(localSigma, clients);
  const totalSigma = Math.sqrt(clients) * localSigma;
  const l1Sensitivity = params.l1Sensitivity ?? l2Sensitivity * Math.min(Math.sqrt(dimension), l2Sensitivity);
  const l2Scale = l2Sensitivity / totalSigma;
  const l1Scale = l1Sensitivity / totalSigma;
  const square1 = l2Scale * l2Scale;
  const square2 = l2Scale * l2Scale + 2 * l1Scale * tau + tau * tau * dimension;
  const square3 = (l2Scale + Math.sqrt(dimension) * tau) ** 2;
  return (order) => Math.min((order / 2) * square1 + tau * dimension, (order / 2) * square2, (order / 2) * square3);
}

/**
 * RDP at order α of the distributed discrete Gaussian applied to a Poisson
 * sample with rate q. Amplification uses the general upper bound of Zhu and
 * Wang, "Poisson Subsampled Rényi Differential Privacy" (ICML 2019), which
 * holds for any base mechanism given its RDP at integer orders 2…α. Between
 * integers the bound is interpolated through (α − 1)·ε(α), which is convex
 * in α (a cumulant generating function) and 0 at α = 1; so on (1, 2) the
 * bound is the order-2 value. The result is never above the unsampled RDP.
 */
export function subsampledDistributedDiscreteGaussianRdp(params: DistributedDiscreteGaussianParams, samplingRate: number, order: number): number {
  assertParams(params);
  assertSamplingRate(samplingRate);
  if (!(order > 1 && Number.isFinite(order))) throw new RangeError(`expected order to be finite and > 1, got ${order}`);
  return subsampledRdp(unsampledRdp(params), samplingRate, order);
}

function subsampledRdp(base: (order: number) => number, samplingRate: number, order: number): number {
  if (samplingRate === 0) return 0;
  const unsampled = base(order);
  if (samplingRate === 1) return unsampled;
  if (Number.isInteger(order)) return Math.min(unsampled, zhuWangBound(base, samplingRate, order));
  const lo = Math.floor(order);
  const hi = lo + 1;
  // (α − 1)·ε(α) at the neighbouring integers; 0 at α = 1.
  const atLo = lo === 1 ? 0 : (lo - 1) * Math.min(base(lo), zhuWangBound(base, samplingRate, lo));
  const atHi = (hi - 1) * Math.min(base(hi), zhuWangBound(base, samplingRate, hi));
  return Math.min(unsampled, ((hi - order) * atLo + (order - lo) * atHi) / (order - 1));
}

/** Zhu & Wang's upper bound at an integer order α ≥ 2 and 0 < q < 1, summed in log space. */
function zhuWangBound(base: (order: number) => number, samplingRate: number, alpha: number): number {
  const logQ = Math.log(samplingRate);
  const log1mQ = Math.log1p(-samplingRate);
  const terms = [(alpha - 1) * log1mQ + Math.log1p((alpha - 1) * samplingRate)];
  terms.push(logAbsBinomial(alpha, 2) + 2 * logQ + (alpha - 2) * log1mQ + base(2));
  for (let l = 3; l <= alpha; l++) {
    terms.push(Math.log(3) + logAbsBinomial(alpha, l) + l * logQ + (alpha - l) * log1mQ + (l - 1) * base(l));
  }
  return Math.max(0, logSumExp(terms) / (alpha - 1));
}

/** The bound above at each of `orders` (a preset name or a list; dp-accounting by default). */
export function distributedDiscreteGaussianRdpVector(
  params: DistributedDiscreteGaussianParams,
  samplingRate: number,
  orders: RdpOrdersInput = DEFAULT_RDP_ORDER_PRESET,
): number[] {
  assertParams(params);
  assertSamplingRate(samplingRate);
  const base = unsampledRdp(params);
  return resolveRdpOrders(orders).map((order) => subsampledRdp(base, samplingRate, order));
}

export interface EffectiveNoiseMultiplierOptions {
  /** q: the Poisson sampling rate of the round. */
  readonly samplingRate: number;
  /** The orders of the `PrivacyLedger` that will record the result (default: its default preset). */
  readonly orders?: RdpOrdersInput;
}

const BISECTION_STEPS = 60;
const MAX_DOUBLINGS = 200;

/**
 * The largest noise multiplier z such that recording `{ samplingRate, noiseMultiplier: z }`
 * in a `PrivacyLedger` with these orders is conservative: at every order the
 * ledger's subsampled-Gaussian RDP(q, z, α) is at least the bound above, so
 * the ε the ledger reports (a monotone function of those RDP values, composed
 * additively over rounds) is never below the distributed discrete Gaussian's.
 *
 * For q = 1 this is closed-form: z = min_α √(α / (2ε(α))). For q < 1 it is
 * found by bisection and rounded down. The generic Zhu–Wang amplification
 * bound costs a z slightly below the Gaussian one even as τ → 0, and more
 * with orders in (1, 2) (bounded by the order-2 value, see above): for a job
 * under distributed noise, prefer a ledger with integer orders (n = 100,
 * σ = 2, Δ₂ = 50, d = 10⁴, q = 0.01 gives z = 0.389 with orders 2…64,
 * 128…1024, but 0.250 with the dp-accounting preset; √n·σ/Δ₂ = 0.4).
 *
 * @example
 * const z = effectiveNoiseMultiplier(params, { samplingRate: 0.01 });
 * ledger.record({ samplingRate: 0.01, noiseMultiplier: z });
 */
export function effectiveNoiseMultiplier(params: DistributedDiscreteGaussianParams, options: EffectiveNoiseMultiplierOptions): number {
  const { samplingRate } = options;
  const orders = resolveRdpOrders(options.orders ?? DEFAULT_RDP_ORDER_PRESET);
  const bounds = distributedDiscreteGaussianRdpVector(params, samplingRate, orders);
  if (bounds.every((b) => b === 0)) return Infinity;
  if (samplingRate === 1) {
    // Shaved by 2^-40 so that rounding in the ledger's α/(2z²) cannot land below the bound.
    return Math.min(...orders.map((order, k) => Math.sqrt(order / (2 * (bounds[k] as number))))) * (1 - 2 ** -40);
  }
  const covers = (z: number): boolean => orders.every((order, k) => subsampledGaussianRdp(samplingRate, z, order) >= (bounds[k] as number));
  let lo = 1;
  for (let i = 0; !covers(lo); i++) {
    if (i === MAX_DOUBLINGS) throw new RangeError('expected a noise multiplier covering the bound, found none above 2^-200');
    lo /= 2;
  }
  let hi = lo * 2;
  for (let i = 0; covers(hi); i++) {
    if (i === MAX_DOUBLINGS) return Infinity;
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < BISECTION_STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (covers(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
