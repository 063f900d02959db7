import type { RoundPrivacy } from '@fedrec/core/protocol';

/**
 * How far past √d, in standard deviations, the norm of a client's Gaussian
 * noise may reach before its update is refused. For noise N(0, σ²I_d) the
 * norm exceeds σ(√d + t) with probability at most exp(−t²/2) (Gaussian
 * concentration of a 1-Lipschitz function): at t = 10 that is 2·10⁻²², so an
 * honest client is never refused, while a hostile one gains at most this
 * much over an honest update's norm.
 */
export const NOISE_TAIL_STDS = 10;

/**
 * The largest L2 norm an honest client's update can have in a round: the
 * clip bound C plus the norm its own noise share N(0, (z_c C)²I_d) can reach
 * (`NOISE_TAIL_STDS`). Without DP parameters the server knows no clip bound,
 * so the operator's `fallback` (`limits.maxUpdateNorm`) applies.
 *
 * Bounding each update is what keeps one cohort member from driving the
 * mean (and so the model) anywhere it likes: with n updates in the mean, one
 * member moves it by at most bound / n.
 *
 * @example
 * maxUpdateNorm({ clipNorm: 1, clientNoiseMultiplier: 0.1 }, 10_000, 1_000); // 1 + 0.1 · (100 + 10) = 12
 */
export function maxUpdateNorm(privacy: Pick<RoundPrivacy, 'clipNorm' | 'clientNoiseMultiplier'> | null, floats: number, fallback: number): number {
  if (privacy === null) return fallback;
  const { clipNorm, clientNoiseMultiplier } = privacy;
  return clipNorm + clientNoiseMultiplier * clipNorm * (Math.sqrt(floats) + NOISE_TAIL_STDS);
}
