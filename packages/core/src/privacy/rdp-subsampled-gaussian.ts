/**
 * Rényi differential privacy of the Poisson-subsampled Gaussian mechanism
 * (Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy of the Sampled
 * Gaussian Mechanism"), the mechanism behind DP-SGD and DP-FedAvg: each record
 * (shopper) takes part in a step with probability q, and the clipped sum gets
 * Gaussian noise of standard deviation σ times the clipping norm.
 *
 * RDP(α) = log(A_α) / (α − 1) where A_α = E_{z∼μ₀}[((1−q) + q·μ₁(z)/μ₀(z))^α]
 * with μ₀ = N(0, σ²), μ₁ = N(1, σ²). A_α is summed in log space, exactly as a
 * finite binomial sum at integer α and with the two-series expansion of
 * TF-Privacy / Google dp-accounting at fractional α, so the figures match
 * those libraries.
 */
import { logAdd, logErfc, logSub } from './log-math.js';
import {
  assertMechanism,
  assertNoiseMultiplier,
  assertSamplingRate,
  type SubsampledGaussianMechanism,
} from './privacy-params.js';
import { DEFAULT_RDP_ORDER_PRESET, resolveRdpOrders, type RdpOrdersInput } from './rdp-orders.js';

// The fractional series stops once both new terms are below e^-30 of the
// (≥ 1) total, as in dp-accounting; the cap only guards against a bug turning
// it into an endless loop.
const SERIES_CUTOFF = -30;
const SERIES_MAX_TERMS = 1_000_000;
const LN_HALF = Math.log(0.5);
// A_α ≥ 1 (Jensen), so partial sums below e^-40 cannot change log A_α in
// double precision.
const NEGLIGIBLE_LOG = -40;

function assertOrder(order: unknown): asserts order is number {
  if (typeof order !== 'number') throw new TypeError(`expected order to be a number, got ${typeof order}`);
  if (!(order > 1 && Number.isFinite(order))) throw new RangeError(`expected order to be finite and > 1, got ${order}`);
}

/** (k² − k) / (2σ²), the exponent of a Gaussian moment; 0·∞ would be NaN when σ underflows. */
function gaussianExponent(k: number, twoSigmaSq: number): number {
  const quad = k * k - k;
  return quad === 0 ? 0 : quad / twoSigmaSq;
}

/**
 * Takes a term of the alternating tail off a partial sum. Where both are
 * negligible, rounding can leave the term (in log space, with ulps of 16 at
 * magnitudes of 1e17) a hair above the sum; the true difference is then below
 * e^-40 and counts as zero instead of aborting the whole computation.
 */
function subtractTerm(logAcc: number, logTerm: number): number {
  if (logTerm > logAcc && logTerm < NEGLIGIBLE_LOG) return -Infinity;
  return logSub(logAcc, logTerm);
}

/** log A_α for integer α: Σᵢ C(α,i) qⁱ (1−q)^(α−i) e^((i²−i)/2σ²). */
function logAInteger(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const twoSigmaSq = 2 * sigma * sigma;
  let logA = -Infinity;
  let logCoef = 0; // log C(α, 0)
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logCoef += Math.log((alpha - i + 1) / i);
    const term = logCoef + i * logQ + (alpha - i) * log1mQ + gaussianExponent(i, twoSigmaSq);
    logA = logAdd(logA, term);
  }
  return logA;
}

/**
 * log A_α for fractional α: the integral is split at z₀ where the two
 * Gaussians' mixture weights cross; on each side the binomial series in the
 * likelihood ratio converges, and its terms are Gaussian tail integrals
 * (erfc). C(α, i) changes sign for i > α + 1, hence the signed log sums.
 */
function logAFractional(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const sigmaSq = sigma * sigma;
  const twoSigmaSq = 2 * sigmaSq;
  const sqrt2Sigma = Math.SQRT2 * sigma;
  // z₀ = σ² log(1/q − 1) + 1/2, written so that small q keeps its digits.
  const z0 = sigmaSq * (log1mQ - logQ) + 0.5;
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  let logAbsCoef = 0; // log |C(α, 0)|
  let coefSign = 1;
  for (let i = 0; i < SERIES_MAX_TERMS; i++) {
    if (i > 0) {
      const factor = (alpha - i + 1) / i;
      logAbsCoef += Math.log(Math.abs(factor));
      if (factor < 0) coefSign = -coefSign;
    }
    const j = alpha - i;
    const logT0 = logAbsCoef + i * logQ + j * log1mQ;
    const logT1 = logAbsCoef + j * logQ + i * log1mQ;
    const logE0 = LN_HALF + logErfc((i - z0) / sqrt2Sigma);
    const logE1 = LN_HALF + logErfc((z0 - j) / sqrt2Sigma);
    const logS0 = logT0 + gaussianExponent(i, twoSigmaSq) + logE0;
    const logS1 = logT1 + gaussianExponent(j, twoSigmaSq) + logE1;
    if (coefSign > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = subtractTerm(logA0, logS0);
      logA1 = subtractTerm(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < SERIES_CUTOFF) return logAdd(logA0, logA1);
  }
  throw new RangeError(
    `expected the RDP series to converge, but it did not after ${SERIES_MAX_TERMS} terms ` +
      `(samplingRate ${q}, noiseMultiplier ${sigma}, order ${alpha})`,
  );
}

/**
 * RDP at `order` of one step of the subsampled Gaussian mechanism with
 * sampling rate q and noise multiplier σ.
 */
export function subsampledGaussianRdp(samplingRate: number, noiseMultiplier: number, order: number): number {
  assertSamplingRate(samplingRate);
  assertNoiseMultiplier(noiseMultiplier);
  assertOrder(order);
  // Nobody's data is used, or the noise drowns any signal: no privacy loss.
  if (samplingRate === 0 || noiseMultiplier === Infinity) return 0;
  if (noiseMultiplier === 0) return Infinity;
  const sigmaSq = noiseMultiplier * noiseMultiplier;
  // Subsampling never costs more than the plain Gaussian's α/(2σ²), which is
  // below the smallest double when σ² overflows.
  if (sigmaSq === Infinity) return 0;
  if (sigmaSq === 0) return Infinity;
  if (samplingRate === 1) return order / (2 * sigmaSq);
  const logA = Number.isInteger(order)
    ? logAInteger(samplingRate, noiseMultiplier, order)
    : logAFractional(samplingRate, noiseMultiplier, order);
  // A_α ≥ 1, so a negative result is rounding noise on a value of ~0.
  return Math.max(0, logA / (order - 1));
}

/** One step's RDP at each of `orders` (a preset name or a list; dp-accounting by default). */
export function subsampledGaussianRdpVector(
  samplingRate: number,
  noiseMultiplier: number,
  orders: RdpOrdersInput = DEFAULT_RDP_ORDER_PRESET,
): number[] {
  assertSamplingRate(samplingRate);
  assertNoiseMultiplier(noiseMultiplier);
  return resolveRdpOrders(orders).map((order) => subsampledGaussianRdp(samplingRate, noiseMultiplier, order));
}

/**
 * RDP of running the mechanisms one after another: RDP composes additively
 * at each order, so the result is Σ steps · RDP(q, σ) per order.
 */
export function composeRdp(
  mechanisms: readonly SubsampledGaussianMechanism[],
  orders: RdpOrdersInput = DEFAULT_RDP_ORDER_PRESET,
): number[] {
  if (!Array.isArray(mechanisms)) throw new TypeError(`expected mechanisms to be an array, got ${typeof mechanisms}`);
  const resolved = resolveRdpOrders(orders);
  mechanisms.forEach((m, i) => assertMechanism(m, `mechanisms[${i}]`));
  const total = resolved.map(() => 0);
  for (const { samplingRate, noiseMultiplier, steps } of mechanisms) {
    // Skipping zero steps also avoids 0 · Infinity = NaN for σ = 0.
    if (steps === 0) continue;
    const perStep = subsampledGaussianRdpVector(samplingRate, noiseMultiplier, resolved);
    for (let k = 0; k < total.length; k++) total[k] = (total[k] as number) + steps * (perStep[k] as number);
  }
  return total;
}
