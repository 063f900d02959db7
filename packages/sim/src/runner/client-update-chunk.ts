import { trainLocally, trainLocallySparse, buildPrivateUpdate, positiveItems, createSeededRandomSource, deriveSeed, AdaptiveClipping, clipScale } from '@fedrec/core';
import type { SharedModel, LocalTrainingConfig, EventWeights, SparseDelta } from '@fedrec/core';
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
 * not depend on which worker ran which chunk. `scratch`, a spent chunk sum of
 * the model's length, is zeroed and reused for this one's.
 */
export function computeChunk(
  population: Population,
  model: SharedModel,
  settings: ClientUpdateSettings,
  round: RoundSettings,
  shoppers: ArrayLike<number>,
  scratch?: Float64Array,
): ChunkResult {
  const sum = scratch?.length === model.values.length ? scratch.fill(0) : new Float64Array(model.values.length);
  let clipped = 0;
  let unclipped = 0;
  let normSum = 0;
  for (let k = 0; k < shoppers.length; k++) {
    const index = shoppers[k]!;
    const split = leaveOneOut(population.shopper(index).events);
    // A shopper with too little history still takes part: a zero delta,
    // clipped and noised like any other, keeps the cohort honest.
    const positives = positiveItems(split ? split.train : [], settings.eventWeights);
    const training = {
      model,
      positives,
      random: createSeededRandomSource(deriveSeed(settings.seed, 'train', round.round, index)),
      config: settings.localTraining,
    };
    let normBefore: number;
    if (round.localNoiseMultiplier > 0) {
      // Local noise covers every coordinate: the device's own dense pipeline.
      const built = buildPrivateUpdate(trainLocally(training).delta, {
        clipNorm: round.clipNorm,
        noiseMultiplier: round.localNoiseMultiplier,
        noiseSource: createSeededRandomSource(deriveSeed(settings.seed, 'noise', round.round, index)),
      });
      const values = built.update.values;
      for (let i = 0; i < values.length; i++) sum[i]! += values[i]!;
      normBefore = built.normBefore;
    } else {
      // No noise on the update itself (it goes on the round's sum): the
      // clipped update is zero outside the rows training changed, so clip and
      // add just those — the same float32 values the dense pipeline would add.
      normBefore = addClippedRows(sum, trainLocallySparse(training).rows, model.shape.numItems, model.shape.dim, round.clipNorm);
    }
    if (normBefore > round.clipNorm) clipped++;
    unclipped += AdaptiveClipping.unclippedBit(normBefore, round.clipNorm);
    normSum += normBefore;
  }
  return { sum, contributors: shoppers.length, clipped, unclipped, normSum };
}

/** sum += clip(delta) over the rows training changed (embedding row and bias); returns ‖delta‖. */
function addClippedRows(sum: Float64Array, rows: SparseDelta, numItems: number, dim: number, clipNorm: number): number {
  const { items, embeddings, biases } = rows;
  const biasStart = numItems * dim;
  let squares = 0;
  for (let r = 0; r < items.length; r++) {
    for (let j = r * dim; j < r * dim + dim; j++) squares += embeddings[j]! * embeddings[j]!;
    squares += biases[r]! * biases[r]!;
  }
  const norm = Math.sqrt(squares);
  const scale = clipScale(norm, clipNorm);
  for (let r = 0; r < items.length; r++) {
    const row = items[r]! * dim - r * dim;
    for (let j = r * dim; j < r * dim + dim; j++) sum[row + j]! += Math.fround(embeddings[j]! * scale);
    sum[biasStart + items[r]!]! += Math.fround(biases[r]! * scale);
  }
  return norm;
}
