import type { RandomSource } from './random-source.js';
import { WordPool } from './word-pool.js';

/** Words drawn per `fillUint32` call: one `getRandomValues` call (64 KiB) for the cryptographic source. */
const WORDS_PER_REFILL = 16_384;
const TWO_POW_32 = 4_294_967_296;
const TWO_POW_MINUS_53 = 2 ** -53;

/**
 * Marsaglia & Tsang's ziggurat ("The Ziggurat Method for Generating Random
 * Variables", J. Stat. Softw. 5(8), 2000) for the unnormalised density
 * f(x) = exp(−x²/2) on x ≥ 0, with 256 layers of equal area V:
 *
 * - layer i (1…255) is the box [0, X[i]] × [F[i], F[i+1]], F[i] = f(X[i]),
 *   with X[1] = R, X[i+1] = f⁻¹(V / X[i] + F[i]) and X[256] = 0, F[256] = 1;
 * - layer 0 is the rectangle [0, R] × [0, f(R)] plus the tail x > R; as a
 *   box [0, X[0]] × [F[0] = 0, F[1]] with X[0] = V / f(R), a draw beyond R
 *   in it stands for the tail.
 *
 * R is the root that makes the 256th layer end exactly at f(0) = 1; it was
 * solved to 25 digits with mpmath (V is R·f(R) + ∫_R^∞ f). The layers are
 * rebuilt here in double precision, where the recursion closes to ~3e−15.
 */
const ZIGGURAT_R = 3.654152885361009;
const ZIGGURAT_V = 0.004928673233974655;
const LAYERS = 256;

/** X[i]: layer widths (decreasing), X[256] = 0. */
const X = new Float64Array(LAYERS + 1);
/** F[i] = f(X[i]) (increasing), F[256] = 1. */
const F = new Float64Array(LAYERS + 1);
/** X[i+1] / X[i]: a uniform u below it lands in the part of layer i wholly under the curve. */
const INNER = new Float64Array(LAYERS);
/** X[i] · 2⁻⁵³: turns a 53-bit integer m straight into x = (m / 2⁵³) · X[i]. */
const X_PER_UNIT = new Float64Array(LAYERS);
{
  const density = (x: number) => Math.exp(-0.5 * x * x);
  X[0] = ZIGGURAT_V / density(ZIGGURAT_R);
  X[1] = ZIGGURAT_R;
  for (let i = 1; i < LAYERS - 1; i++) X[i + 1] = Math.sqrt(-2 * Math.log(ZIGGURAT_V / X[i]! + density(X[i]!)));
  X[LAYERS] = 0;
  // Layer 0's band is [0, f(R)]; the others' [f(X[i]), f(X[i+1])].
  F[0] = 0;
  for (let i = 1; i < LAYERS; i++) F[i] = density(X[i]!);
  F[LAYERS] = 1;
  for (let i = 0; i < LAYERS; i++) INNER[i] = X[i + 1]! / X[i]!;
  for (let i = 0; i < LAYERS; i++) X_PER_UNIT[i] = X[i]! * TWO_POW_MINUS_53;
}

/**
 * Add N(0, sigma²) to every element of `out`, in place.
 *
 * `sigma` is a standard deviation, not a variance.
 *
 * Marsaglia–Tsang ziggurat with 256 layers; each attempt takes two 32-bit
 * words with disjoint roles — 8 bits pick the layer, 1 bit the sign, 53 bits
 * the uniform position in the layer — so the layer and the value are
 * independent (the flaw Doornik (2005) found in the original, which took
 * both from one 32-bit integer). 98.5% of attempts end in one comparison;
 * the rest take the wedge test (one `exp`) or, in layer 0 beyond R, the exact
 * tail algorithm of Marsaglia (1964). Words are drawn in bulk (one
 * `getRandomValues` call per 64 KiB for the cryptographic source): a
 * 640k-coordinate update needs ~1.3M words.
 *
 * Floating-point Gaussian samplers leak a little through the low bits of the
 * result (Mironov 2012 shows it for Laplace); FedRec's secure-aggregation
 * path uses an exact discrete Gaussian instead. This continuous sampler is
 * for the local-noise placement and simulation.
 *
 * @example
 * const noise = new Float64Array(4);
 * addGaussianNoise(noise, 0.5, createSeededRandomSource('example'));
 */
export function addGaussianNoise(out: Float32Array | Float64Array, sigma: number, source: RandomSource): void {
  if (!Number.isFinite(sigma) || sigma < 0) throw new RangeError(`expected sigma >= 0 and finite, got ${sigma}`);
  if (sigma === 0) return;
  const n = out.length;
  // Two words an attempt, ~1.007 attempts a draw, a little slack for the slow paths.
  // Every draw takes two words, so the cursor stays even and the block (even
  // length) runs out exactly at its end. One pool per call: words from one
  // source are never left behind for another.
  const buffer = new WordPool(source, Math.min(WORDS_PER_REFILL, 2 * (n + (n >>> 6) + 16)));
  const { words } = buffer;
  const end = words.length;
  // Tables in locals: the loop reads them without going through the module context.
  const inner = INNER;
  const xPerUnit = X_PER_UNIT;
  let next = end;
  let i = 0;
  // One flat loop, no closure: this runs for every coordinate of every update.
  while (i < n) {
    if (next === end) {
      buffer.refill();
      next = 0;
    }
    const w0 = words[next]!;
    const w1 = words[next + 1]!;
    next += 2;
    const layer = w0 & 0xff;
    // A 53-bit integer from the top 21 bits of w0 and all of w1; u = m / 2⁵³ is uniform on [0, 1).
    const m = (w0 >>> 11) * TWO_POW_32 + w1;
    // ±σ from bit 8, without a branch the predictor would miss half the time.
    const signedSigma = (1 - ((w0 >>> 7) & 2)) * sigma;
    if (m * TWO_POW_MINUS_53 < inner[layer]!) {
      out[i++]! += signedSigma * (m * xPerUnit[layer]!);
      continue;
    }
    buffer.next = next;
    const x = layer === 0 ? tail(buffer) : wedge(buffer, layer, m * xPerUnit[layer]!);
    next = buffer.next;
    if (x >= 0) out[i++]! += signedSigma * x;
  }
}

/**
 * Layer 1…255 outside its inner part: accept x where a uniform height in the
 * layer's band [F[layer], F[layer+1]] falls under the curve; −1 rejects.
 */
function wedge(buffer: WordPool, layer: number, x: number): number {
  const height = F[layer]! + (1 - openUniform(buffer)) * (F[layer + 1]! - F[layer]!);
  return height < Math.exp(-0.5 * x * x) ? x : -1;
}

/**
 * x > R from the normal tail, exactly (Marsaglia 1964): x = R + a with a
 * exponential of rate R, accepted with probability exp(−a²/2).
 */
function tail(buffer: WordPool): number {
  for (;;) {
    const a = -Math.log(openUniform(buffer)) / ZIGGURAT_R;
    const b = -Math.log(openUniform(buffer));
    if (b + b >= a * a) return ZIGGURAT_R + a;
  }
}

/**
 * A fresh vector of `n` independent N(0, sigma²) draws.
 *
 * @example
 * const draws = gaussianVector(1000, 2, createSeededRandomSource('example'));
 */
export function gaussianVector(n: number, sigma: number, source: RandomSource): Float64Array {
  const out = new Float64Array(n);
  addGaussianNoise(out, sigma, source);
  return out;
}

/** @internal The ziggurat's layer widths, for tests of the table. */
export const zigguratTable: { readonly x: Float64Array; readonly f: Float64Array; readonly r: number; readonly v: number } = { x: X, f: F, r: ZIGGURAT_R, v: ZIGGURAT_V };

/**
 * Uniform on (0, 1] with 53 random bits (never 0: it goes into a logarithm),
 * from the next two words of `pool`. The sampler's blocks have an even
 * length and it takes words in pairs, so the pair never straddles a refill.
 */
function openUniform(pool: WordPool): number {
  if (pool.next === pool.words.length) pool.refill();
  const hi = pool.words[pool.next]! >>> 11;
  const lo = pool.words[pool.next + 1]!;
  pool.next += 2;
  return 1 - (hi * TWO_POW_32 + lo) * TWO_POW_MINUS_53;
}
