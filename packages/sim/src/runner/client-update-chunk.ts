import { trainLocally, trainLocallySparse, buildPrivateUpdate, positiveItems, createSeededRandomSource, deriveSeed, AdaptiveClipping, clipScale } from '@fedrec/core';
import type { SharedModel, LocalTrainingConfig, EventWeights, SparseDelta, ShoppingEvent, RandomSource } from '@fedrec/core';
import { historyContextScore, shopperSequence, trainHybridLocally } from '@fedrec/core/hybrid';
import type { Catalogue } from '@fedrec/core/catalogue';
import type { FeatureMap, HybridDelta, HybridTrainingConfig } from '@fedrec/core/hybrid';
import type { Population } from '../population/population.js';
import { leaveOneOut } from '../population/leave-one-out.js';

/** What every client update of a simulation shares, fixed for the run. */
export interface ClientUpdateSettings {
  readonly seed: string | number;
  readonly localTraining?: Partial<LocalTrainingConfig>;
  readonly eventWeights?: EventWeights;
  /** Train the hybrid model (rows are catalogue features) instead of matrix factorisation. */
  readonly hybrid?: HybridClientSettings;
}

/** What a shopper's device needs to train the hybrid model: all of it public. */
export interface HybridClientSettings {
  readonly features: FeatureMap;
  /** The fixed prior added to every logit (the released popularity). */
  readonly prior?: Float32Array;
  readonly training?: Partial<HybridTrainingConfig>;
  /** Train on top of the on-device history scorer (its weight in the final score; see `historyContextScore`). */
  readonly history?: { readonly catalogue: Catalogue; readonly idf: Float32Array; readonly weight: number };
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
    const random = createSeededRandomSource(deriveSeed(settings.seed, 'train', round.round, index));
    let normBefore: number;
    if (settings.hybrid) {
      const delta = trainHybridShopper(model, settings.hybrid, split ? split.train : [], random, settings.eventWeights);
      const rows: SparseDelta = { items: delta.rows, embeddings: delta.embeddings, biases: delta.biases };
      normBefore =
        round.localNoiseMultiplier > 0
          ? addLocallyNoised(sum, model, denseRows(model, rows), settings, round, index)
          : addClippedRows(sum, rows, model.shape.numItems, model.shape.dim, round.clipNorm);
    } else {
      const training = { model, positives: positiveItems(split ? split.train : [], settings.eventWeights), random, config: settings.localTraining };
      // Without local noise the update goes on the round's sum unnoised: the
      // clipped update is zero outside the rows training changed, so clip and
      // add just those — the same float32 values the dense pipeline would add.
      normBefore =
        round.localNoiseMultiplier > 0
          ? addLocallyNoised(sum, model, trainLocally(training).delta.values, settings, round, index)
          : addClippedRows(sum, trainLocallySparse(training).rows, model.shape.numItems, model.shape.dim, round.clipNorm);
    }
    if (normBefore > round.clipNorm) clipped++;
    unclipped += AdaptiveClipping.unclippedBit(normBefore, round.clipNorm);
    normSum += normBefore;
  }
  return { sum, contributors: shoppers.length, clipped, unclipped, normSum };
}

/**
 * One shopper's hybrid training on their training events, as their device
 * runs it: the history as a sequence, the history scorer in the logits where
 * the run boosts it. Shared by the rounds and the central reference
 * (`trainCentralHybrid`), so both train the same model the same way.
 */
export function trainHybridShopper(model: SharedModel, hybrid: HybridClientSettings, events: readonly ShoppingEvent[], random: RandomSource, eventWeights?: EventWeights): HybridDelta {
  const { features, prior, training, history } = hybrid;
  const sequence = shopperSequence(events, eventWeights);
  const contextScore = history === undefined ? undefined : historyContextScore(events, history.catalogue, history.idf, history.weight, eventWeights);
  return trainHybridLocally({ model, features, sequence, random, config: training, ...(prior === undefined ? {} : { prior }), ...(contextScore === undefined ? {} : { contextScore }) });
}

/** Local noise covers every coordinate: the device's own dense pipeline (clip, then noise) on a dense delta; returns ‖delta‖. */
function addLocallyNoised(sum: Float64Array, model: SharedModel, delta: Float32Array, settings: ClientUpdateSettings, round: RoundSettings, index: number): number {
  const built = buildPrivateUpdate({ shape: model.shape, baseVersion: model.version, values: delta }, {
    clipNorm: round.clipNorm,
    noiseMultiplier: round.localNoiseMultiplier,
    noiseSource: createSeededRandomSource(deriveSeed(settings.seed, 'noise', round.round, index)),
  });
  const values = built.update.values;
  for (let i = 0; i < values.length; i++) sum[i]! += values[i]!;
  return built.normBefore;
}

/** The dense layout of a sparse delta: [rows × dim | biases], zero elsewhere. */
function denseRows(model: SharedModel, rows: SparseDelta): Float32Array {
  const { numItems, dim } = model.shape;
  const values = new Float32Array(model.values.length);
  for (let r = 0; r < rows.items.length; r++) {
    values.set(rows.embeddings.subarray(r * dim, (r + 1) * dim), rows.items[r]! * dim);
    values[numItems * dim + rows.items[r]!] = rows.biases[r]!;
  }
  return values;
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
