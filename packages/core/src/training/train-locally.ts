import * as tf from '@tensorflow/tfjs-core';
import '#tfjs-platform';
import type { SharedModel, ModelUpdate } from '../model/shared-parameters.js';
import { parameterCount } from '../model/shared-parameters.js';
import type { RandomSource } from '../random/random-source.js';
import { shuffleInPlace } from '../random/shuffle.js';
import type { LocalTrainingConfig } from './local-training-config.js';
import { resolveLocalTrainingConfig } from './local-training-config.js';
import { NegativeSampler } from './negative-sampler.js';
import { bprLoss } from './bpr-loss.js';
import type { BprBatch } from './bpr-loss.js';
import { registerFedRecKernels } from '../backend/register-kernels.js';
import { BPR_TRAIN, hasFusedTrainKernel } from '../kernels/bpr-train-kernel.js';

export interface LocalTrainingInput {
  readonly model: SharedModel;
  /** The shopper's positives and their weights (see `positiveItems`). */
  readonly positives: { readonly items: Int32Array; readonly weights: Float32Array };
  /** The shopper's vector from an earlier session, if the device kept one. */
  readonly userVector?: Float32Array;
  /** Stream for negative sampling and shuffling (never the noise stream). */
  readonly random: RandomSource;
  /**
   * Rows never drawn as negatives, beyond the positives: products the shop
   * retired (nobody can buy them, so not buying one says nothing).
   */
  readonly notNegatives?: ArrayLike<number>;
  readonly config?: Partial<LocalTrainingConfig>;
  /**
   * Measure the loss on the first joint epoch's triplets before and after
   * training (diagnostics; two extra passes). Off by default.
   */
  readonly measureLoss?: boolean;
  /**
   * Run the whole schedule in FedRec's fused training kernel (default: where
   * one is registered, i.e. cpu and wasm) or step by step through autodiff
   * and `tf.train.sgd` (any backend). Both compute the same steps.
   */
  readonly fused?: boolean;
}

export interface LocalTrainingResult {
  /** The shopper's fitted vector: stays on the device. */
  readonly userVector: Float32Array;
  /** after − before of the shared parameters, dense over the catalogue. Not yet clipped or noised. */
  readonly delta: ModelUpdate;
  /**
   * Items whose rows of `delta` may be non-zero (those a joint epoch's
   * triplets touched); every other row is exactly zero. Lets a simulator aggregate in
   * O(touched · d) — a real client still sends the dense update.
   */
  readonly touchedItems: Int32Array;
  /** Triplets processed in both phases. */
  readonly triplets: number;
  /**
   * With `measureLoss`: mean BPR loss per triplet on the first joint epoch's
   * triplets, with the starting and with the trained parameters (0 otherwise).
   */
  readonly lossBefore: number;
  readonly lossAfter: number;
}

interface Triplets {
  readonly positives: Int32Array; // working-set rows
  readonly negatives: Int32Array;
  readonly weights: Float32Array;
}

/**
 * The rows of a local-training delta that can be non-zero: every item a
 * joint epoch's triplets touched. Every other row of the dense delta is
 * exactly zero.
 */
export interface SparseDelta {
  /** Catalogue index of each row: positives first, then negatives in order of first draw. */
  readonly items: Int32Array;
  /** after − before of those items' embeddings: row r at [r·dim, (r+1)·dim). */
  readonly embeddings: Float32Array;
  /** after − before of those items' biases. */
  readonly biases: Float32Array;
}

/** `trainLocally`'s result with the delta as rows, not dense over the catalogue. */
export interface SparseLocalTrainingResult extends Omit<LocalTrainingResult, 'delta' | 'touchedItems'> {
  /** The model version the delta applies to. */
  readonly baseVersion: number;
  readonly rows: SparseDelta;
}

/**
 * One shopper's local training (BPR with sampled negatives):
 *
 * 1. fit the shopper's own vector with the shared parameters frozen, so a new
 *    or returning shopper needs no state from the server;
 * 2. train vector and shared parameters together;
 * 3. return the shared delta (after − before), dense over the catalogue.
 *
 * Only the rows the shopper's triplets touch can change, so training runs on
 * that working set (positives plus every negative drawn for every epoch) and
 * the delta is scattered back at the end: the cost per step is O(batch · d),
 * not O(catalogue · d).
 */
export function trainLocally(input: LocalTrainingInput): LocalTrainingResult {
  const { rows, baseVersion, ...rest } = trainLocallySparse(input);
  const { model } = input;
  const { numItems, dim } = model.shape;
  const values = new Float32Array(parameterCount(model.shape));
  const biasStart = numItems * dim;
  for (let r = 0; r < rows.items.length; r++) {
    const item = rows.items[r]!;
    values.set(rows.embeddings.subarray(r * dim, (r + 1) * dim), item * dim);
    values[biasStart + item] = rows.biases[r]!;
  }
  return { ...rest, delta: { shape: model.shape, baseVersion, values }, touchedItems: rows.items };
}

/**
 * `trainLocally` with the delta as the rows training changed, for callers
 * that aggregate in O(rows · d) — a simulator summing thousands of updates.
 * The same numbers: `trainLocally` scatters exactly these rows. A real
 * client still sends the dense update (a sparse one would reveal which
 * items the shopper touched).
 */
export function trainLocallySparse(input: LocalTrainingInput): SparseLocalTrainingResult {
  const config = resolveLocalTrainingConfig(input.config);
  const run = runTraining(input, config);
  const { model } = input;
  const { numItems, dim } = model.shape;
  const biasStart = numItems * dim;
  let rows: SparseDelta = { items: new Int32Array(0), embeddings: new Float32Array(0), biases: new Float32Array(0) };
  if (run.trained) {
    const { items, emb, bias, changed } = run.trained;
    const embeddings = new Float32Array(changed.length * dim);
    const biases = new Float32Array(changed.length);
    for (let k = 0; k < changed.length; k++) {
      const r = changed[k]!;
      const item = items[r]!;
      for (let j = 0; j < dim; j++) embeddings[k * dim + j] = emb[r * dim + j]! - model.values[item * dim + j]!;
      biases[k] = bias[r]! - model.values[biasStart + item]!;
    }
    rows = { items: Int32Array.from(changed, (r) => items[r]!), embeddings, biases };
  }
  return { userVector: run.userVector, baseVersion: model.version, rows, triplets: run.triplets, lossBefore: run.lossBefore, lossAfter: run.lossAfter };
}

/**
 * Fit only the shopper's own vector against a frozen shared model — what a
 * device does before recommending, and what evaluation does per shopper.
 */
export function fitUserVector(input: Omit<LocalTrainingInput, 'config'> & { config?: Partial<Omit<LocalTrainingConfig, 'epochs'>> }): Float32Array {
  return runTraining(input, resolveLocalTrainingConfig({ ...input.config, epochs: 0 })).userVector;
}

interface TrainingRun {
  readonly userVector: Float32Array;
  /**
   * The working set after training, when the shared parameters were trained;
   * `changed` lists (ascending) the working-set rows a joint epoch touched —
   * the only ones that can differ from the model.
   */
  readonly trained?: { readonly items: Int32Array; readonly emb: Float32Array; readonly bias: Float32Array; readonly changed: Int32Array };
  readonly triplets: number;
  readonly lossBefore: number;
  readonly lossAfter: number;
}

/** Every epoch's triplets over one working set: the rows they touch. */
interface TrainingPlan {
  /** Catalogue index of each working-set row (positives first). */
  readonly items: Int32Array;
  /** All epochs' triplets, concatenated, indexing working-set rows. */
  readonly triplets: Triplets;
  readonly epochLength: number;
}

function runTraining(input: Omit<LocalTrainingInput, 'config'>, config: LocalTrainingConfig): TrainingRun {
  registerFedRecKernels();
  const { model, random } = input;
  const { numItems, dim } = model.shape;
  const { items: posItems, weights: posWeights } = input.positives;
  const userStart = input.userVector ? Float32Array.from(input.userVector) : warmStart(input.model, input.positives.items, input.positives.weights);
  if (userStart.length !== dim) throw new RangeError(`expected a user vector of length ${dim}, got ${userStart.length}`);
  if (posItems.length !== posWeights.length) throw new RangeError('expected one weight per positive item');

  const sampler = new NegativeSampler(numItems, input.notNegatives === undefined ? posItems : [...posItems, ...Array.from(input.notNegatives)]);
  const epochs = config.userEpochs + config.epochs;
  if (posItems.length === 0 || sampler.available === 0 || epochs === 0) {
    return { userVector: userStart, triplets: 0, lossBefore: 0, lossAfter: 0 };
  }
  // The working set — positives and every negative any epoch draws — is cut
  // from the shared table once; a step costs O(batch · d), and nothing
  // touches the whole catalogue until the delta is formed.
  const plan = samplePlan(posItems, posWeights, sampler, config.negativesPerPositive, epochs, random, numItems);
  const rows = plan.items.length;
  const emb = new Float32Array(rows * dim);
  const bias = new Float32Array(rows);
  const biasStart = numItems * dim;
  for (let r = 0; r < rows; r++) {
    const item = plan.items[r]!;
    for (let j = 0; j < dim; j++) emb[r * dim + j] = model.values[item * dim + j]!;
    bias[r] = model.values[biasStart + item]!;
  }
  const start = { userVector: userStart, emb, bias };
  const probe = input.measureLoss ? sliceTriplets(plan.triplets, config.userEpochs * plan.epochLength, (config.userEpochs + 1) * plan.epochLength) : undefined;
  const lossBefore = probe ? meanLoss(start, dim, probe, config.l2) : 0;
  const fused = input.fused ?? hasFusedTrainKernel(tf.getBackend());
  const end = fused ? runFused(start, dim, plan, epochs, config) : runAutodiff(start, dim, plan, epochs, config);
  const lossAfter = probe ? meanLoss(end, dim, probe, config.l2) : 0;
  return {
    userVector: end.userVector,
    trained: config.epochs > 0 ? { items: plan.items, emb: end.emb, bias: end.bias, changed: jointRows(plan, config.userEpochs) } : undefined,
    triplets: plan.triplets.positives.length,
    lossBefore,
    lossAfter,
  };
}

interface TrainableState {
  readonly userVector: Float32Array;
  readonly emb: Float32Array;
  readonly bias: Float32Array;
}

/** The whole schedule in one launch of the fused training kernel (cpu, wasm). */
function runFused(start: TrainableState, dim: number, plan: TrainingPlan, epochs: number, config: LocalTrainingConfig): TrainableState {
  const inputs = {
    userVector: tf.tensor1d(start.userVector),
    itemEmbeddings: tf.tensor2d(start.emb, [plan.items.length, dim]),
    itemBiases: tf.tensor1d(start.bias),
    positives: tf.tensor1d(plan.triplets.positives, 'int32'),
    negatives: tf.tensor1d(plan.triplets.negatives, 'int32'),
    weights: tf.tensor1d(plan.triplets.weights, 'float32'),
  };
  const attrs = {
    epochLength: plan.epochLength,
    epochs,
    userEpochs: config.userEpochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    userLearningRate: config.userLearningRate,
    l2: config.l2,
  };
  // Not tf.tidy: tidy walks the returned object element by element, and
  // these are large typed arrays. Every tensor is disposed explicitly.
  const outputs = tf.engine().runKernel(BPR_TRAIN, inputs, attrs) as tf.Tensor[];
  try {
    const [u, e, b] = outputs;
    return { userVector: u!.dataSync() as Float32Array, emb: e!.dataSync() as Float32Array, bias: b!.dataSync() as Float32Array };
  } finally {
    tf.dispose([...Object.values(inputs), ...outputs]);
  }
}

/**
 * The general path, on any backend (tfjs-node and webgl run the composed
 * loss natively): per batch, autodiff of the BPR loss and `tf.train.sgd` —
 * the user vector on the batch-mean gradient, every triplet touching it.
 */
function runAutodiff(start: TrainableState, dim: number, plan: TrainingPlan, epochs: number, config: LocalTrainingConfig): TrainableState {
  // In a bundle tfjs's gradients come with WebGL only (see tfjs-platform.browser.ts); say so rather than fail mid-step.
  if (tf.getGradient('GatherV2') === undefined) {
    throw new Error("training by autodiff needs tfjs's gradients, which are not registered here: import '@tensorflow/tfjs-core/dist/register_all_gradients.js' (or train on cpu or wasm, in FedRec's fused kernels)");
  }
  const user = toVariable(tf.tensor1d(start.userVector));
  const emb = toVariable(tf.tensor2d(start.emb, [plan.items.length, dim]));
  const bias = toVariable(tf.tensor1d(start.bias));
  const params = { userVector: user, itemEmbeddings: emb, itemBiases: bias };
  const userOptimizer = tf.train.sgd(config.userLearningRate);
  const itemOptimizer = tf.train.sgd(config.learningRate);
  try {
    for (let e = 0; e < epochs; e++) {
      const joint = e >= config.userEpochs;
      const varList = joint ? [user, emb, bias] : [user];
      const epochEnd = (e + 1) * plan.epochLength;
      for (let s = e * plan.epochLength; s < epochEnd; s += config.batchSize) {
        const end = Math.min(epochEnd, s + config.batchSize);
        tf.tidy(() => {
          const batch = batchTensors(plan.triplets, s, end);
          const { grads } = tf.variableGrads(() => bprLoss(params, batch, config.l2), varList);
          userOptimizer.applyGradients({ [user.name]: tf.div(grads[user.name]!, end - s) });
          if (joint) itemOptimizer.applyGradients({ [emb.name]: grads[emb.name]!, [bias.name]: grads[bias.name]! });
        });
      }
    }
    return { userVector: user.dataSync() as Float32Array, emb: emb.dataSync() as Float32Array, bias: bias.dataSync() as Float32Array };
  } finally {
    tf.dispose([user, emb, bias]);
    userOptimizer.dispose();
    itemOptimizer.dispose();
  }
}

/**
 * A new shopper's vector before any step: the weighted mean of their items'
 * embeddings, scaled up (WARM_START_GAIN). It already points towards what
 * they like, so the fitting epochs refine a direction rather than find one.
 */
function warmStart(model: SharedModel, items: Int32Array, weights: Float32Array): Float32Array {
  const { dim } = model.shape;
  const u = new Float32Array(dim);
  let total = 0;
  for (let k = 0; k < items.length; k++) {
    const w = weights[k]!;
    const row = items[k]! * dim;
    for (let j = 0; j < dim; j++) u[j]! += w * model.values[row + j]!;
    total += w;
  }
  if (total > 0) for (let j = 0; j < dim; j++) u[j]! *= WARM_START_GAIN / total;
  return u;
}

// Tuned on synthetic populations: 3–5 beat 0 (cold start) by a wide margin and 30 by a clear one.
const WARM_START_GAIN = 4;

function toVariable<R extends tf.Rank>(initial: tf.Tensor<R>): tf.Variable<R> {
  const variable = tf.variable(initial, true);
  initial.dispose(); // the variable holds its own reference
  return variable;
}

/**
 * Every epoch's triplets up front: per epoch, the positives in a fresh
 * random order, each with `perPositive` fresh negatives; rows of one shared
 * working set (positives first, then negatives in order of first draw).
 */
function samplePlan(
  posItems: Int32Array,
  posWeights: Float32Array,
  sampler: NegativeSampler,
  perPositive: number,
  epochs: number,
  random: RandomSource,
  numItems: number,
): TrainingPlan {
  const epochLength = posItems.length * perPositive;
  const n = epochLength * epochs;
  const positives = new Int32Array(n);
  const negatives = new Int32Array(n);
  const weights = new Float32Array(n);
  const rowOf = new Int32Array(numItems).fill(-1);
  const items = new Int32Array(Math.min(numItems, posItems.length + n));
  items.set(posItems);
  let rows = posItems.length;
  posItems.forEach((item, row) => (rowOf[item] = row));
  const order = Int32Array.from(posItems.keys());
  for (let e = 0; e < epochs; e++) {
    // A fresh order every epoch, so batches mix items.
    shuffleInPlace(order, random);
    for (let k = 0; k < epochLength; k++) {
      const at = e * epochLength + k;
      const p = order[Math.floor(k / perPositive)]!;
      positives[at] = p;
      weights[at] = posWeights[p]!;
      const item = sampler.sample(random);
      let row = rowOf[item]!;
      if (row < 0) {
        row = rows++;
        rowOf[item] = row;
        items[row] = item;
      }
      negatives[at] = row;
    }
  }
  return { items: items.subarray(0, rows), triplets: { positives, negatives, weights }, epochLength };
}

/**
 * Working-set rows that a joint epoch's triplets touch, ascending. The
 * user-only epochs freeze the shared parameters, so a negative drawn only
 * there keeps the model's values exactly, and its delta row is zero.
 */
function jointRows(plan: TrainingPlan, userEpochs: number): Int32Array {
  const marked = new Uint8Array(plan.items.length);
  const { positives, negatives } = plan.triplets;
  for (let k = userEpochs * plan.epochLength; k < positives.length; k++) {
    marked[positives[k]!] = 1;
    marked[negatives[k]!] = 1;
  }
  let count = 0;
  for (let r = 0; r < marked.length; r++) count += marked[r]!;
  const rows = new Int32Array(count);
  for (let r = 0, k = 0; r < marked.length; r++) if (marked[r]) rows[k++] = r;
  return rows;
}

function sliceTriplets(t: Triplets, start: number, end: number): Triplets {
  return { positives: t.positives.subarray(start, end), negatives: t.negatives.subarray(start, end), weights: t.weights.subarray(start, end) };
}

function batchTensors(t: Triplets, start: number, end: number): BprBatch {
  return {
    positives: tf.tensor1d(t.positives.subarray(start, end), 'int32'),
    negatives: tf.tensor1d(t.negatives.subarray(start, end), 'int32'),
    weights: tf.tensor1d(t.weights.subarray(start, end), 'float32'),
  };
}

/** Mean loss per triplet (forward only). */
function meanLoss(params: TrainableState, dim: number, t: Triplets, l2: number): number {
  const n = t.positives.length;
  if (n === 0) return 0;
  // tidy returns a plain number here: nothing large for it to walk.
  return tf.tidy(() => {
    const tensors = { userVector: tf.tensor1d(params.userVector), itemEmbeddings: tf.tensor2d(params.emb, [params.bias.length, dim]), itemBiases: tf.tensor1d(params.bias) };
    return bprLoss(tensors, batchTensors(t, 0, n), l2).dataSync()[0]! / n;
  });
}

