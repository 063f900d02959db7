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
 * Returns the norm before clipping. The factor is C/‖x‖ shrunk by 2⁻²²
 * (far above float32's relative rounding of 2⁻²⁴ per coordinate), so the
 * clipped norm never exceeds C after rounding — in one pass, no retries.
 */
export function clipToNorm(values: Float32Array, clipNorm: number): { normBefore: number; scale: number } {
  if (!Number.isFinite(clipNorm) || clipNorm <= 0) throw new RangeError(`expected clipNorm > 0 and finite, got ${clipNorm}`);
  const normBefore = l2Norm(values);
  if (!Number.isFinite(normBefore)) throw new RangeError('expected a finite update to clip, got NaN or Infinity');
  if (normBefore <= clipNorm) return { normBefore, scale: 1 };
  const scale = (clipNorm / normBefore) * (1 - 2 ** -22);
  for (let i = 0; i < values.length; i++) values[i] = values[i]! * scale;
  return { normBefore, scale };
}
