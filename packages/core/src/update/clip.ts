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
  const scale = clipScale(normBefore, clipNorm);
  if (scale === 1) return { normBefore, scale };
  for (let i = 0; i < values.length; i++) values[i] = values[i]! * scale;
  return { normBefore, scale };
}

/**
 * The factor that brings a vector of L2 norm `norm` within `clipNorm`: 1 if
 * it already is, else C/‖x‖ shrunk by 2⁻²² so that float32 rounding of the
 * scaled coordinates cannot push the norm back over C.
 */
export function clipScale(norm: number, clipNorm: number): number {
  if (!Number.isFinite(clipNorm) || clipNorm <= 0) throw new RangeError(`expected clipNorm > 0 and finite, got ${clipNorm}`);
  return norm <= clipNorm ? 1 : (clipNorm / norm) * (1 - 2 ** -22);
}
