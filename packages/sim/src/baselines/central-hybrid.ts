import { createSeededRandomSource, deriveSeed, shuffleInPlace } from '@fedrec/core';
import type { EventWeights, LeaveOneOutReport, SharedModel } from '@fedrec/core';
import type { Catalogue } from '@fedrec/core/catalogue';
import type { Population } from '../population/population.js';
import { leaveOneOut } from '../population/leave-one-out.js';
import { trainHybridShopper } from '../runner/client-update-chunk.js';
import { evaluateHybridModel } from '../runner/evaluate-hybrid-model.js';
import { hybridModelSetup } from '../runner/hybrid-model-setup.js';
import type { HybridModelSetup } from '../runner/hybrid-model-setup.js';
import type { HybridModelSettings } from '../runner/hybrid-model-settings.js';
import { itemPopularity } from './popularity-baseline.js';

export interface CentralHybridTrainingOptions {
  /** Aligned to the population's items. */
  readonly catalogue: Catalogue;
  /** The hybrid model's settings, as the federated run takes them (`HYBRID_DEFAULTS.model`); the privacy ones (share, k, shrinkage) do not apply. */
  readonly model: HybridModelSettings;
  readonly dim: number;
  /** Passes over all shoppers, each visiting every shopper once. */
  readonly epochs: number;
  /** The run seed: the same starting table as `runHybridSimulation` with this seed. */
  readonly seed: string | number;
  readonly eventWeights?: EventWeights;
  /** After each pass, with the model as it stands (e.g. to evaluate it). */
  readonly onEpoch?: (report: CentralHybridEpochReport) => void;
}

export interface CentralHybridOptions extends CentralHybridTrainingOptions {
  /** Shopper indices to evaluate (`evaluationSample(…)`, to match a federated run). */
  readonly evalShoppers: readonly number[];
}

export interface CentralHybridEpochReport {
  readonly epoch: number;
  readonly epochs: number;
  readonly model: SharedModel;
  readonly setup: HybridModelSetup;
  /** Next-item targets trained on this pass. */
  readonly steps: number;
  readonly elapsedSeconds: number;
}

export interface CentralHybridModel {
  readonly model: SharedModel;
  /** What the model is built from and scored with (`hybridModelSetup` on exact counts). */
  readonly setup: HybridModelSetup;
}

/**
 * The hybrid model trained centrally, without privacy: the non-private
 * upper reference for `runHybridSimulation`. The model is the federated
 * one — `hybridModelSetup` on exact counts (what the federated run uses at
 * ε = ∞): the same feature map, prior, starting table and scoring — and so
 * is each shopper's training (`trainHybridShopper`, the code a device runs
 * in a round). What differs is only how the updates meet: a pass visits
 * every shopper once, in an order shuffled per pass from the seed, and adds
 * their delta to the table at once, so the next shopper trains on what the
 * last one left — plain sequential SGD over shoppers, as `trainCentralBpr`
 * does for matrix factorisation: no cohort, no clipping, no noise, no
 * averaging, no released counts.
 *
 * @example
 * const { model, setup } = trainCentralHybrid(population, { catalogue, model: HYBRID_DEFAULTS.model, dim: 32, epochs: 3, seed: 7 });
 */
export function trainCentralHybrid(population: Population, options: CentralHybridTrainingOptions): CentralHybridModel {
  const started = performance.now();
  const { epochs, seed, eventWeights } = options;
  if (!Number.isSafeInteger(epochs) || epochs < 0) throw new RangeError(`expected epochs to be an integer >= 0, got ${epochs}`);
  const setup = hybridModelSetup(population, options.catalogue, itemPopularity(population, eventWeights), options.model, options.dim, seed);
  const { shape } = setup.initialModel;
  const { dim } = shape;
  const biasStart = shape.numItems * dim;
  // One table, updated in place visit after visit: training copies the rows it uses before changing them.
  const values = Float32Array.from(setup.initialModel.values);
  const active = Int32Array.from({ length: population.numShoppers }, (_, s) => s);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const model: SharedModel = { shape, version: epoch - 1, values };
    shuffleInPlace(active, createSeededRandomSource(deriveSeed(seed, 'central-hybrid', 'order', epoch)));
    let steps = 0;
    for (const index of active) {
      const split = leaveOneOut(population.shopper(index).events);
      if (!split) continue;
      const random = createSeededRandomSource(deriveSeed(seed, 'central-hybrid', 'train', epoch, index));
      const delta = trainHybridShopper(model, setup.client, split.train, random, eventWeights);
      for (let r = 0; r < delta.rows.length; r++) {
        const row = delta.rows[r]!;
        for (let j = 0; j < dim; j++) values[row * dim + j]! += delta.embeddings[r * dim + j]!;
        values[biasStart + row]! += delta.biases[r]!;
      }
      steps += delta.steps;
    }
    options.onEpoch?.({ epoch, epochs, model: { shape, version: epoch, values: Float32Array.from(values) }, setup, steps, elapsedSeconds: (performance.now() - started) / 1000 });
  }
  return { model: { shape, version: epochs, values }, setup };
}

/**
 * The central hybrid (`trainCentralHybrid`) evaluated as the federated
 * hybrid is: `evaluateHybridModel` with the run's evaluation seed, so each
 * evaluated shopper is ranked against the same negatives as in
 * `runHybridSimulation` with the same seed, by model + prior + history scorer.
 *
 * @example
 * const report = centralHybridBaseline(population, { catalogue, model: HYBRID_DEFAULTS.model, dim: 32, epochs: 3, seed: 7, evalShoppers: evaluationSample(population.numShoppers, 500, 7) });
 */
export function centralHybridBaseline(population: Population, options: CentralHybridOptions): LeaveOneOutReport {
  const { model, setup } = trainCentralHybrid(population, options);
  return evaluateHybridModel(
    model,
    { population, shoppers: options.evalShoppers, seed: deriveSeed(options.seed, 'eval'), ...(options.eventWeights === undefined ? {} : { eventWeights: options.eventWeights }) },
    setup.scoring,
  );
}
