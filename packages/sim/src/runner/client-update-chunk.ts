import { trainLocally, buildPrivateUpdate, positiveItems, createSeededRandomSource, deriveSeed, AdaptiveClipping } from '@fedrec/core';
import type { SharedModel, LocalTrainingConfig, EventWeights } from '@fedrec/core';
import type { Population } from '../population/population.js';
import { leaveOneOut } from '../population/leave-one-out.js';

/** What every client update of a simulation shares, fixed for the run. */
export interface ClientUpdateSettings {
  readonly seed: string | number;
  readonly localTraining?: Partial<LocalTrainingConfig>;
  readonly eventWeights?: EventWeights;
}

/** What changes from round to round. */
export interface RoundSettings {
  readonly round: number;
  readonly clipNorm: number;
  /** z each client adds itself (local placement), else 0. */
  readonly localNoiseMultiplier: number;
}

/** The sum of a chunk of the cohort's clipped (and, locally, noised) updates. */
export interface ChunkResult {
  readonly sum: Float64Array;
  readonly contributors: number;
  readonly clipped: number;
  /** Σ 1[‖Δ‖ ≤ C]: the bits adaptive clipping feeds on. */
  readonly unclipped: number;
  readonly normSum: number;
}

/**
 * The real client path for a slice of the cohort: leave-one-out split (the
 * held-out item is never trained on), local training, clip, local noise; the
 * chunk's updates summed in float64. Used as is in process and in workers.
 *
 * Every shopper's streams derive from (seed, round, shopper), so results do
 * not depend on which worker ran which chunk.
 */
export function computeChunk(population: Population, model: SharedModel, settings: ClientUpdateSettings, round: RoundSettings, shoppers: ArrayLike<number>): ChunkResult {
  const sum = new Float64Array(model.values.length);
  let clipped = 0;
  let unclipped = 0;
  let normSum = 0;
  for (let k = 0; k < shoppers.length; k++) {
    const index = shoppers[k]!;
    const split = leaveOneOut(population.shopper(index).events);
    // A shopper with too little history still takes part: a zero delta,
    // clipped and noised like any other, keeps the cohort honest.
    const positives = positiveItems(split ? split.train : [], settings.eventWeights);
    const { delta } = trainLocally({
      model,
      positives,
      random: createSeededRandomSource(deriveSeed(settings.seed, 'train', round.round, index)),
      config: settings.localTraining,
    });
    const built = buildPrivateUpdate(delta, {
      clipNorm: round.clipNorm,
      noiseMultiplier: round.localNoiseMultiplier,
      noiseSource: createSeededRandomSource(deriveSeed(settings.seed, 'noise', round.round, index)),
    });
    const values = built.update.values;
    for (let i = 0; i < values.length; i++) sum[i]! += values[i]!;
    if (built.clipped) clipped++;
    unclipped += AdaptiveClipping.unclippedBit(built.normBefore, round.clipNorm);
    normSum += built.normBefore;
  }
  return { sum, contributors: shoppers.length, clipped, unclipped, normSum };
}
