import type { RoundSecureAggregation } from '@fedrec/core/protocol';
import { effectiveNoiseMultiplier, roundedL2Sensitivity } from '@fedrec/core/privacy';
import type { SecAggRoundConfig } from '@fedrec/secagg';
import { assertNoWrapAround, coordinateBound, createRoundConfig, defaultNeighbourCount } from '@fedrec/secagg';
import type { SecureAggregationConfig } from '../config/server-config.js';
import type { PlannedRoundPrivacy } from '../privacy/server-privacy.js';

/** How many σ of noise the per-coordinate bound allows (`coordinateBound`'s default; see quantise.ts). */
const TAIL_SIGMAS = 14;

/** Everything fixed when a securely aggregated round opens. */
export interface SecureRoundPlan {
  readonly config: SecAggRoundConfig;
  /** Member → index 1…n. */
  readonly indices: ReadonlyMap<string, number>;
  /** Index − 1 → member. */
  readonly clientIds: readonly string[];
  /** γ: float value of one integer step. */
  readonly granularity: number;
  readonly modulus: number;
  /** B: per-coordinate bound of every member's quantised, noised vector. */
  readonly coordinateBound: number;
  readonly stageTimeoutMs: number;
  /** σ² of each member's discrete Gaussian noise, in integer units (0 unless `distributed` DP). */
  readonly localNoiseVariance: number;
  /** z the ledger records for the round under distributed DP (undefined otherwise). */
  readonly accountedNoiseMultiplier: number | undefined;
  /** Each member's noise σ as a multiple of C (in float units; 0 without DP). */
  readonly clientNoiseMultiplier: number;
  /** The member's `secureAggregation` invitation field. */
  invitationFor(clientId: string): RoundSecureAggregation;
}

export interface SecureRoundPlanInput {
  readonly settings: SecureAggregationConfig;
  readonly roundId: number;
  readonly cohort: readonly string[];
  readonly vectorLength: number;
  readonly graphSeed: Uint8Array;
  /** The round is abandoned below this many contributors; distributed noise is calibrated for max(t, minUpdates) survivors. */
  readonly minUpdates: number;
  readonly privacy: PlannedRoundPrivacy | null;
  readonly timeoutMs: number;
}

/**
 * Chooses the round's SecAgg+ parameters and its quantisation:
 *
 * - C is the round's DP clip bound (or `settings.clipNorm`); every coordinate
 *   of a clipped update is within ±C.
 * - Noise per member, in float units: σ_f = z_Δ·C/√m_min under distributed DP
 *   (m_min = max(t, minUpdates), the fewest survivors the round accepts, so
 *   any accepted sum carries at least N(0, (z_Δ C)²)); z_Δ·C under local DP
 *   (Gaussian, added before quantising); 0 without DP.
 * - γ defaults to 4·n·(C + 14σ_f)/M (M the modulus), so that
 *   B = ⌈C/γ⌉ + ⌈14σ_f/γ⌉ + 1 ≤ M/(4n) + 3 and n·B < M/2: the modular sum of n
 *   members decodes exactly (no wrap-around). An explicit γ is checked with
 *   `assertNoWrapAround` and refused (throws) if it could wrap.
 *
 * Throws RangeError or SecAggError when the cohort cannot run SecAgg (fewer
 * than t members) or the parameters could wrap around.
 */
export function planSecureRound(input: SecureRoundPlanInput): SecureRoundPlan {
  const { settings, roundId, cohort, vectorLength, graphSeed, minUpdates, privacy } = input;
  const n = cohort.length;
  const neighbourCount = Math.min(settings.neighbours ?? defaultNeighbourCount(n), n - 1);
  const config = createRoundConfig({
    roundId,
    clientCount: n,
    vectorLength,
    graphSeed,
    neighbourCount,
    ...(settings.threshold !== undefined ? { threshold: Math.min(settings.threshold, neighbourCount + 1) } : {}),
  });
  if (n < config.threshold) throw new RangeError(`expected a cohort of at least threshold ${config.threshold}, got ${n}`);
  const modulus = 2 ** settings.modulusBits;
  const clipNorm = privacy?.message.clipNorm ?? settings.clipNorm;
  const minSurvivors = Math.max(config.threshold, minUpdates);
  const distributed = privacy !== null && privacy.message.placement === 'distributed';
  const zUpdate = privacy?.updateNoiseMultiplier ?? 0;
  const floatSigma = privacy === null ? 0 : distributed ? (zUpdate * clipNorm) / Math.sqrt(minSurvivors) : zUpdate * clipNorm;
  const granularity = settings.granularity ?? (4 * n * (clipNorm + TAIL_SIGMAS * floatSigma)) / modulus;
  const noiseSigmaInts = floatSigma / granularity;
  // +1: float32 clipping can leave a coordinate a rounding error above C.
  const bound = coordinateBound({ clipNorm, granularity, noiseSigma: noiseSigmaInts, tailSigmas: TAIL_SIGMAS }) + 1;
  assertNoWrapAround(n, bound, modulus);
  // σ² in integer units; the exact sampler takes it as a rational built from this double.
  const localNoiseVariance = distributed ? noiseSigmaInts * noiseSigmaInts : 0;
  const accountedNoiseMultiplier = distributed
    ? effectiveNoiseMultiplier(
        {
          clients: minSurvivors,
          localSigma: noiseSigmaInts,
          l2Sensitivity: roundedL2Sensitivity(clipNorm, granularity, vectorLength),
          dimension: vectorLength,
        },
        { samplingRate: privacy.message.samplingRate, orders: privacy.ledgerOrders },
      )
    : undefined;
  const indices = new Map(cohort.map((clientId, i) => [clientId, i + 1] as const));
  const stageTimeoutMs = settings.stageTimeoutMs;
  return {
    config,
    indices,
    clientIds: [...cohort],
    granularity,
    modulus,
    coordinateBound: bound,
    stageTimeoutMs,
    localNoiseVariance,
    accountedNoiseMultiplier,
    clientNoiseMultiplier: floatSigma / clipNorm,
    invitationFor(clientId) {
      const clientIndex = indices.get(clientId);
      if (clientIndex === undefined) throw new RangeError('expected a cohort member');
      return {
        clientIndex,
        clientCount: n,
        vectorLength,
        neighbourCount: config.neighbourCount,
        threshold: config.threshold,
        graphSeed: config.graphSeed,
        clipNorm,
        granularity,
        coordinateBound: bound,
        modulusBits: settings.modulusBits,
        localNoiseVariance,
        stageTimeoutMs,
      };
    },
  };
}
