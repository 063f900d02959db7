import type { RandomSource } from './random-source.js';

/**
 * Add N(0, sigma²) to every element of `out`, in place (Box–Muller: two
 * normals per pair of uniforms).
 *
 * `sigma` is a standard deviation, not a variance.
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
  for (let i = 0; i < n; i += 2) {
    // 1 − U is in (0, 1], so the log is finite.
    const radius = sigma * Math.sqrt(-2 * Math.log(1 - source.nextFloat()));
    const angle = 2 * Math.PI * source.nextFloat();
    out[i]! += radius * Math.cos(angle);
    if (i + 1 < n) out[i + 1]! += radius * Math.sin(angle);
  }
}

/** A fresh vector of `n` independent N(0, sigma²) draws. */
export function gaussianVector(n: number, sigma: number, source: RandomSource): Float64Array {
  const out = new Float64Array(n);
  addGaussianNoise(out, sigma, source);
  return out;
}
