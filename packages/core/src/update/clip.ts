/** L2 norm, accumulated in float64 so a 640k-coordinate delta does not lose precision. */
export function l2Norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return Math.sqrt(sum);
}

/**
 * Scale `values` in place so that its L2 norm is at most `clipNorm` (C).
 * This bounds one shopper's influence on the aggregate — the sensitivity the
 * Gaussian noise is calibrated to — so it covers the *whole* delta at once.
 *
 * Returns the norm before clipping. The factor is computed in float64 and
 * rounded down by one float32 ulp's worth when needed, so the clipped norm
 * never exceeds C after rounding to float32.
 */
export function clipToNorm(values: Float32Array, clipNorm: number): { normBefore: number; scale: number } {
  if (!Number.isFinite(clipNorm) || clipNorm <= 0) throw new RangeError(`expected clipNorm > 0 and finite, got ${clipNorm}`);
  const normBefore = l2Norm(values);
  if (!Number.isFinite(normBefore)) throw new RangeError('expected a finite update to clip, got NaN or Infinity');
  if (normBefore <= clipNorm) return { normBefore, scale: 1 };
  let scale = clipNorm / normBefore;
  const original = Float32Array.from(values);
  for (let attempt = 0; attempt < 4; attempt++) {
    for (let i = 0; i < values.length; i++) values[i] = original[i]! * scale;
    if (l2Norm(values) <= clipNorm) return { normBefore, scale };
    scale *= 1 - 2 ** -22; // float32 rounding pushed us over: step down a hair
  }
  values.set(original);
  throw new RangeError(`could not clip to ${clipNorm}`);
}
