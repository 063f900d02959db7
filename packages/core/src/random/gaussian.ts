import type { RandomSource } from './random-source.js';

const WORDS_PER_REFILL = 16_384;
const TWO_POW_MINUS_53 = 2 ** -53;

/**
 * Add N(0, sigma²) to every element of `out`, in place.
 *
 * `sigma` is a standard deviation, not a variance.
 *
 * Marsaglia's polar method: two normals per accepted pair of uniforms on
 * (−1, 1)², no trigonometry; each uniform carries 53 random bits, and the
 * words are drawn in bulk (one `getRandomValues` call per 64 KiB for the
 * cryptographic source) because a 640k-coordinate update needs ~3M words.
 *
 * Floating-point Gaussian samplers leak a little through the low bits of the
 * result (Mironov 2012 shows it for Laplace); FedRec's secure-aggregation
 * path uses an exact discrete Gaussian instead. This continuous sampler is
 * for the local-noise placement and simulation.
 */
export function addGaussianNoise(out: Float32Array | Float64Array, sigma: number, source: RandomSource): void {
  if (!Number.isFinite(sigma) || sigma < 0) throw new RangeError(`expected sigma >= 0 and finite, got ${sigma}`);
  if (sigma === 0) return;
  const n = out.length;
  // Four words per attempt (two 53-bit uniforms); ~1.27 attempts per pair.
  const words = new Uint32Array(Math.min(WORDS_PER_REFILL, 4 * Math.ceil(0.7 * n) + 64) & ~3);
  let next = words.length;
  let i = 0;
  // One flat loop, no closure: this runs for every coordinate of every update.
  while (i < n) {
    if (next === words.length) {
      source.fillUint32(words);
      next = 0;
    }
    // Uniforms on (−1, 1) from 53 random bits each: 27 + 26 bits of two words.
    const u = 2 * ((words[next]! >>> 5) * 67108864 + (words[next + 1]! >>> 6)) * TWO_POW_MINUS_53 - 1;
    const v = 2 * ((words[next + 2]! >>> 5) * 67108864 + (words[next + 3]! >>> 6)) * TWO_POW_MINUS_53 - 1;
    next += 4;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const factor = sigma * Math.sqrt((-2 * Math.log(s)) / s);
    out[i++]! += u * factor;
    if (i < n) out[i++]! += v * factor;
  }
}

/** A fresh vector of `n` independent N(0, sigma²) draws. */
export function gaussianVector(n: number, sigma: number, source: RandomSource): Float64Array {
  const out = new Float64Array(n);
  addGaussianNoise(out, sigma, source);
  return out;
}
