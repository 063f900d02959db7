/**
 * Linear convolution of two non-negative probability vectors, for composing
 * privacy loss distributions (Koskela, Jälkö, Honkela 2020, "Computing tight
 * differential privacy guarantees using FFT", §3: the PLD of a composition is
 * the convolution of the PLDs).
 *
 * Small products are convolved directly: every term is a product of
 * non-negatives, so the result is exact to rounding and tiny tail masses keep
 * their relative precision. Large ones go through an iterative radix-2
 * complex FFT in Float64 (Cooley–Tukey), which is O(n log n) but carries an
 * absolute round-off of roughly 1e-16 × ‖a‖₁‖b‖₁ per output cell; the
 * returned `errorBound` bounds that round-off summed over all cells, so the
 * caller can add it to the δ it reports and stay pessimistic.
 */

/** Direct convolution is used while n·m stays below this (about 2 ms of multiply-adds). */
const DIRECT_LIMIT = 1 << 21;
const UNIT_ROUNDOFF = 2 ** -53;

export interface Convolution {
  /** a ∗ b, length a.length + b.length − 1, negatives from round-off clamped to 0. */
  readonly values: Float64Array;
  /** An upper bound on Σ_k |computed_k − exact_k|. */
  readonly errorBound: number;
}

/** In-place iterative radix-2 FFT of (re, im); `inverse` computes the unscaled inverse transform. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i] as number;
      re[i] = re[j] as number;
      re[j] = tr;
      const ti = im[i] as number;
      im[i] = im[j] as number;
      im[j] = ti;
    }
  }
  // Twiddles from one table of cos/sin (each computed directly, not by
  // repeated multiplication, which would accumulate O(n) rounding error);
  // blocks outermost so every stage walks the arrays sequentially.
  const half0 = n >> 1;
  const cos = new Float64Array(half0);
  const sin = new Float64Array(half0);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < half0; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = sign * Math.sin((2 * Math.PI * k) / n);
  }
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const stride = n / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0, t = 0; k < half; k++, t += stride) {
        const wr = cos[t] as number;
        const wi = sin[t] as number;
        const a = start + k;
        const b = a + half;
        const br = re[b] as number;
        const bi = im[b] as number;
        const xr = br * wr - bi * wi;
        const xi = br * wi + bi * wr;
        const ar = re[a] as number;
        const ai = im[a] as number;
        re[a] = ar + xr;
        im[a] = ai + xi;
        re[b] = ar - xr;
        im[b] = ai - xi;
      }
    }
  }
}

function sum(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

function norm2(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v * v;
  return Math.sqrt(s);
}

/** The linear convolution a ∗ b of two non-negative vectors. */
export function convolve(a: Float64Array, b: Float64Array): Convolution {
  const length = a.length + b.length - 1;
  if (a.length === 0 || b.length === 0) return { values: new Float64Array(0), errorBound: 0 };
  if (a.length * b.length <= DIRECT_LIMIT) {
    const out = new Float64Array(length);
    for (let i = 0; i < a.length; i++) {
      const ai = a[i] as number;
      if (ai === 0) continue;
      for (let j = 0; j < b.length; j++) out[i + j] = (out[i + j] as number) + ai * (b[j] as number);
    }
    // Sums of non-negative products: relative error ≤ n·u per cell.
    return { values: out, errorBound: Math.min(a.length, b.length) * UNIT_ROUNDOFF * 2 * sum(a) * sum(b) };
  }
  let n = 1;
  while (n < length) n <<= 1;
  // Both real inputs in one complex transform: z = a + i·b, then
  // A_k = (Z_k + conj Z_{n−k})/2, B_k = (Z_k − conj Z_{n−k})/(2i).
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  re.set(a);
  im.set(b);
  fft(re, im, false);
  const pr = new Float64Array(n);
  const pi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const m = (n - k) & (n - 1);
    const zr = re[k] as number;
    const zi = im[k] as number;
    const cr = re[m] as number;
    const ci = -(im[m] as number);
    const ar = (zr + cr) / 2;
    const aim = (zi + ci) / 2;
    const br = (zi - ci) / 2;
    const bim = -(zr - cr) / 2;
    pr[k] = ar * br - aim * bim;
    pi[k] = ar * bim + aim * br;
  }
  fft(pr, pi, true);
  const out = new Float64Array(length);
  for (let k = 0; k < length; k++) {
    const v = (pr[k] as number) / n;
    out[k] = v > 0 ? v : 0;
  }
  // Normwise round-off of FFT-based convolution (Higham, "Accuracy and
  // Stability of Numerical Algorithms", 2nd ed., §24.1: the computed FFT
  // satisfies ‖ŷ − y‖₂ ≤ c·u·log2(n)·‖y‖₂): through the forward transforms,
  // the pointwise product (‖a ∗ b‖₂ ≤ ‖a‖₁‖b‖₂) and the inverse this gives
  // ‖err‖₂ ≤ 3c·u·log2(n)·min(‖a‖₁‖b‖₂, ‖a‖₂‖b‖₁); we take c = 8 and pass
  // to Σ|err| with Cauchy–Schwarz (× √length).
  const norms = Math.min(sum(a) * norm2(b), norm2(a) * sum(b));
  return { values: out, errorBound: 24 * UNIT_ROUNDOFF * Math.log2(n) * norms * Math.sqrt(length) };
}
