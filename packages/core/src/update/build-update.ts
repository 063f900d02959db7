import type { ModelUpdate } from '../model/shared-parameters.js';
import { parameterCount } from '../model/shared-parameters.js';
import type { RandomSource } from '../random/random-source.js';
import { createCryptoRandomSource } from '../random/crypto-random-source.js';
import { addGaussianNoise } from '../random/gaussian.js';
import { clipToNorm } from './clip.js';

export interface UpdatePrivacy {
  /** L2 bound C on one shopper's whole delta. */
  readonly clipNorm: number;
  /** z: noise standard deviation as a multiple of C (0: clip only). */
  readonly noiseMultiplier: number;
  /** Noise stream. Cryptographic by default; seeded only in simulation. */
  readonly noiseSource?: RandomSource;
}

export interface BuiltUpdate {
  readonly update: ModelUpdate;
  readonly normBefore: number;
  readonly clipped: boolean;
  /** Standard deviation of the noise added to each coordinate (z·C). */
  readonly sigma: number;
}

/**
 * The privacy pipeline on the device: L2-clip the whole delta to C, then add
 * N(0, (zC)²) to *every* coordinate of the dense vector. Dense on purpose: a
 * sparse update would reveal which items the shopper touched.
 *
 * Does not modify `delta`.
 */
export function buildPrivateUpdate(delta: ModelUpdate, privacy: UpdatePrivacy): BuiltUpdate {
  const { clipNorm, noiseMultiplier } = privacy;
  if (!Number.isFinite(noiseMultiplier) || noiseMultiplier < 0) {
    throw new RangeError(`expected noiseMultiplier >= 0 and finite, got ${noiseMultiplier}`);
  }
  if (delta.values.length !== parameterCount(delta.shape)) {
    throw new RangeError(`expected ${parameterCount(delta.shape)} values for the update shape, got ${delta.values.length}`);
  }
  const values = delta.values.slice();
  const { normBefore, scale } = clipToNorm(values, clipNorm);
  const sigma = noiseMultiplier * clipNorm;
  if (sigma > 0) addGaussianNoise(values, sigma, privacy.noiseSource ?? createCryptoRandomSource());
  return { update: { shape: delta.shape, baseVersion: delta.baseVersion, values }, normBefore, clipped: scale < 1, sigma };
}
