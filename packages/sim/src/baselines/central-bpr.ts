import { createSeededRandomSource, createSharedModel, deriveSeed, shuffleInPlace, trainLocally } from '@fedrec/core';
import type { EventWeights, LeaveOneOutReport, LocalTrainingConfig, SharedModel } from '@fedrec/core';
import type { Population } from '../population/population.js';
import { evaluateModel } from '../runner/evaluate-model.js';
import { trainingPositives } from './training-positives.js';

export interface CentralBprTrainingOptions {
  /** Embedding size, as in the federated run. */
  readonly dim: number;
  /** Passes over all shoppers (not to be confused with `localTraining.epochs`, the joint epochs of one visit). */
  readonly epochs: number;
  /** The run seed: the same initial model as `runFederatedSimulation` with this seed. */
  readonly seed: string | number;
  /** The per-visit training (core's `trainLocally`), as in the federated run; also used to fit vectors in evaluation. */
  readonly localTraining?: Partial<LocalTrainingConfig>;
  readonly eventWeights?: EventWeights;
  /**
   * Keep each shopper's vector between passes and start the next visit from
   * it, as a central trainer holding all user factors would (default true).
   * false: every visit starts from zero, like a stateless federated client.
   */
  readonly keepUserVectors?: boolean;
  readonly onEpoch?: (report: CentralBprEpochReport) => void;
}

export interface CentralBprOptions extends CentralBprTrainingOptions {
  /** Shopper indices to evaluate (e.g. `evaluationSample(…)`, to match a federated run). */
  readonly evalShoppers: readonly number[];
}

export interface CentralBprEpochReport {
  readonly epoch: number;
  readonly epochs: number;
  /** Shoppers trained on this pass (those with a training split). */
  readonly shoppers: number;
  /** BPR triplets processed this pass. */
  readonly triplets: number;
  readonly elapsedSeconds: number;
}

/**
 * Centralised, non-private BPR matrix factorisation, trained with the
 * federated model's own code so that the gap to the federated model is the
 * price of federation and privacy, not of a different implementation.
 *
 * Design: a pass visits every shopper once, in an order shuffled per pass
 * from the seed. A visit is core's `trainLocally` on the current model (the
 * shopper's vector, then vector and item parameters together, on their
 * training positives with fresh negatives), and its delta is applied at
 * once with learning rate 1: the next shopper trains on the model the last
 * one left. That is plain sequential SGD over shoppers — what a central
 * trainer with all the data does — with no clipping, no noise and no
 * averaging. The federated runner differs in applying the mean of a
 * cohort's clipped, noised deltas once per round, and (by default, see
 * `keepUserVectors`) in not keeping shoppers' vectors between visits.
 *
 * Shared with the federated run: the initial model (`createSharedModel` with
 * the run seed), the training data (`trainingPositives`: leave-one-out
 * training splits of every shopper, held-out items never trained on), the
 * local-training hyper-parameters and event weights.
 *
 * Cost: a visit touches only the rows its triplets use, but the delta is
 * dense, so each visit also does O(numItems · dim) copying. At MovieLens
 * 100K scale (943 × 1682, dim 32, default local training) a pass takes
 * about 1.5–2 s on the cpu or wasm backend.
 *
 * @example
 * const model = trainCentralBpr(population, { dim: 32, epochs: 5, seed: 7 });
 */
export function trainCentralBpr(population: Population, options: CentralBprTrainingOptions): SharedModel {
  const started = performance.now();
  const { dim, epochs, seed } = options;
  if (!Number.isSafeInteger(epochs) || epochs < 0) throw new RangeError(`expected epochs to be an integer >= 0, got ${epochs}`);
  const shape = { numItems: population.numItems, dim };
  const initial = createSharedModel(shape, { seed });
  // One buffer, updated in place visit after visit: trainLocally copies the
  // model before training, so handing it this buffer is safe.
  const values = initial.values;
  const positives = trainingPositives(population, options.eventWeights);
  const active = Int32Array.from(positives.flatMap((p, s) => (p.items.length > 0 ? [s] : [])));
  const keepUserVectors = options.keepUserVectors ?? true;
  const userVectors = new Map<number, Float32Array>();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const model: SharedModel = { shape, version: epoch - 1, values };
    shuffleInPlace(active, createSeededRandomSource(deriveSeed(seed, 'central', 'order', epoch)));
    let triplets = 0;
    for (const index of active) {
      const result = trainLocally({
        model,
        positives: positives[index]!,
        userVector: keepUserVectors ? userVectors.get(index) : undefined,
        random: createSeededRandomSource(deriveSeed(seed, 'central', 'train', epoch, index)),
        config: options.localTraining,
      });
      const delta = result.delta.values;
      for (let i = 0; i < values.length; i++) values[i]! += delta[i]!;
      if (keepUserVectors) userVectors.set(index, result.userVector);
      triplets += result.triplets;
    }
    options.onEpoch?.({ epoch, epochs, shoppers: active.length, triplets, elapsedSeconds: (performance.now() - started) / 1000 });
  }
  return { shape, version: epochs, values };
}

/**
 * The centralised BPR baseline (see `trainCentralBpr`), evaluated exactly as
 * the federated model is: `evaluateModel` with the run's evaluation seed, so
 * each evaluated shopper fits a fresh vector against the frozen model and is
 * ranked against the same negatives as in `runFederatedSimulation` with the
 * same seed. The vectors kept during training are not used for evaluation:
 * the federated model does not get them either.
 *
 * @example
 * const report = centralBprBaseline(population, { dim: 32, epochs: 5, seed: 7, evalShoppers: evaluationSample(population.numShoppers, 500, 7) });
 */
export function centralBprBaseline(population: Population, options: CentralBprOptions): LeaveOneOutReport {
  const model = trainCentralBpr(population, options);
  return evaluateModel(model, {
    population,
    shoppers: options.evalShoppers,
    seed: deriveSeed(options.seed, 'eval'),
    localTraining: options.localTraining,
    eventWeights: options.eventWeights,
  });
}

