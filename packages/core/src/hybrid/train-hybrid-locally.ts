import type { SharedModel } from '../model/shared-parameters.js';
import type { RandomSource } from '../random/random-source.js';
import { shuffleInPlace } from '../random/shuffle.js';
import { NegativeSampler } from '../training/negative-sampler.js';
import type { FeatureMap } from './feature-map.js';
import { contextWeights } from './shopper-context.js';
import type { ContextOptions, ShopperSequence } from './shopper-context.js';

/** Hyper-parameters of one shopper's hybrid training. */
export interface HybridTrainingConfig extends ContextOptions {
  /** SGD step on the feature rows, per target. */
  readonly learningRate: number;
  /** L2 penalty on every feature row a step touches. */
  readonly l2: number;
  /** Passes over the shopper's targets. */
  readonly epochs: number;
  /** Negatives sampled per target per epoch. */
  readonly negativesPerTarget: number;
}

export const DEFAULT_HYBRID_TRAINING: HybridTrainingConfig = {
  learningRate: 0.1,
  l2: 1e-4,
  epochs: 2,
  negativesPerTarget: 4,
  halfLife: 5,
  maxContext: 20,
};

export interface HybridTrainingInput {
  /** The shared feature table: `shape.numItems` is the feature map's `numFeatures`. */
  readonly model: SharedModel;
  readonly features: FeatureMap;
  /** The shopper's training history (`shopperSequence`). */
  readonly sequence: ShopperSequence;
  /** Negative sampling and target order (never the noise stream). */
  readonly random: RandomSource;
  readonly config?: Partial<HybridTrainingConfig>;
  /**
   * A fixed score per item added to every logit (e.g. the released
   * popularity prior): training then learns what the prior does not already
   * say, rather than spending the noisy rounds on relearning it.
   */
  readonly prior?: Float32Array;
  /**
   * A per-shopper score added to the logits of the target at position `end`
   * (e.g. `historyContextScore`: the on-device scorer on the history before
   * it), so training fits the sum the device will rank by.
   */
  readonly contextScore?: (end: number, item: number) => number;
}

/** The feature rows one shopper's training changed: after − before, row r of `embeddings` at [r·dim, (r+1)·dim). */
export interface HybridDelta {
  readonly rows: Int32Array;
  readonly embeddings: Float32Array;
  readonly biases: Float32Array;
  /** Targets trained on, over all epochs. */
  readonly steps: number;
}

/**
 * One shopper's local training of the hybrid model: next-item BPR. For each
 * item of the history after the first (the target), the shopper vector is
 * the pooled vector of the items before it; the target should outscore
 * sampled items the shopper never touched. Every parameter is a shared
 * feature row, so the whole update is what the shopper sends (clipped and
 * noised); the pooled vector is recomputed from the history and never kept.
 *
 * Plain loops over a working set of the feature rows the steps touch: a
 * history of ten items touches a few dozen rows, whatever the catalogue's size.
 */
export function trainHybridLocally(input: HybridTrainingInput): HybridDelta {
  const config = resolveHybridTrainingConfig(input.config);
  const { model, features, sequence, random, prior, contextScore } = input;
  if (prior !== undefined && prior.length !== features.numItems) throw new RangeError(`expected a prior of ${features.numItems} items, got ${prior.length}`);
  const { dim } = model.shape;
  if (model.shape.numItems !== features.numFeatures) throw new RangeError(`expected a model with one row per feature (${features.numFeatures}), got ${model.shape.numItems} rows`);
  for (const item of sequence.items) if (!(item >= 0 && item < features.numItems)) throw new RangeError(`expected history items in [0, ${features.numItems}), got ${item}`);
  const targets = sequence.items.length - 1;
  const sampler = new NegativeSampler(features.numItems, sequence.items);
  if (targets < 1 || sampler.available === 0 || config.epochs === 0) return { rows: new Int32Array(0), embeddings: new Float32Array(0), biases: new Float32Array(0), steps: 0 };

  const work = new WorkingSet(model, features);
  const context = new Float32Array(config.maxContext ?? 20);
  const u = new Float32Array(dim);
  const gu = new Float32Array(dim);
  const vPos = new Float32Array(dim);
  const vNeg = new Float32Array(dim);
  const negatives = new Int32Array(config.negativesPerTarget);
  const order = Int32Array.from({ length: targets }, (_, k) => k + 1);
  let steps = 0;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (const t of order) {
      for (let k = 0; k < negatives.length; k++) negatives[k] = sampler.sample(random);
      const first = contextWeights(sequence, t, config, context);
      // u = Σ_h c_h v_h over the context.
      u.fill(0);
      for (let h = first; h < t; h++) work.addItemVector(sequence.items[h]!, context[h - first]!, u);
      const pos = sequence.items[t]!;
      vPos.fill(0);
      const bPos = work.addItemVector(pos, 1, vPos);
      gu.fill(0);
      let gPosTotal = 0;
      // Gradients of Σ_k log σ(s_k), s_k = u·(v_p − v_k) + b_p − b_k, ascended; each step reads the parameters as they were before it
      // (the gradients accumulate apart and `applyStep` adds them, then clears them for the next step).
      for (const neg of negatives) {
        vNeg.fill(0);
        const bNeg = work.addItemVector(neg, 1, vNeg);
        let s = bPos - bNeg + (prior === undefined ? 0 : prior[pos]! - prior[neg]!) + (contextScore === undefined ? 0 : contextScore(t, pos) - contextScore(t, neg));
        for (let j = 0; j < dim; j++) s += u[j]! * (vPos[j]! - vNeg[j]!);
        const g = 1 / (1 + Math.exp(s));
        gPosTotal += g;
        for (let j = 0; j < dim; j++) gu[j]! += g * (vPos[j]! - vNeg[j]!);
        work.accumulate(neg, -g, u, -g);
      }
      work.accumulate(pos, gPosTotal, u, gPosTotal);
      for (let h = first; h < t; h++) work.accumulate(sequence.items[h]!, context[h - first]!, gu, 0);
      work.applyStep(config.learningRate, config.l2);
      steps++;
    }
  }
  return { ...work.delta(), steps };
}

export function resolveHybridTrainingConfig(partial: Partial<HybridTrainingConfig> = {}): HybridTrainingConfig {
  const config = { ...DEFAULT_HYBRID_TRAINING, ...partial };
  for (const key of ['learningRate', 'negativesPerTarget', 'halfLife', 'maxContext'] as const) {
    const value = config[key];
    if (value === undefined || !Number.isFinite(value) || value <= 0) throw new RangeError(`expected ${key} > 0, got ${value}`);
  }
  for (const key of ['l2', 'epochs'] as const) {
    if (!Number.isFinite(config[key]) || config[key] < 0) throw new RangeError(`expected ${key} >= 0, got ${config[key]}`);
  }
  for (const key of ['epochs', 'negativesPerTarget', 'maxContext'] as const) {
    if (!Number.isInteger(config[key])) throw new RangeError(`expected ${key} to be an integer, got ${config[key]}`);
  }
  return config;
}

/**
 * The feature rows training has touched, copied out of the shared table on
 * first use, with a gradient buffer per row for the step in progress.
 */
class WorkingSet {
  private readonly slotOf = new Map<number, number>();
  private rows: number[] = [];
  private emb = new Float32Array(0);
  private bias = new Float32Array(0);
  private gradEmb = new Float32Array(0);
  private gradBias = new Float32Array(0);
  private stepSlots: number[] = [];
  private readonly inStep: Set<number> = new Set();
  private readonly dim: number;
  private readonly biasStart: number;

  constructor(
    private readonly model: SharedModel,
    private readonly features: FeatureMap,
  ) {
    this.dim = model.shape.dim;
    this.biasStart = model.shape.numItems * this.dim;
  }

  /** out += scale · v_item; returns b_item. */
  addItemVector(item: number, scale: number, out: Float32Array): number {
    const { offsets, indices, weights } = this.features;
    const dim = this.dim;
    let b = 0;
    for (let k = offsets[item]!; k < offsets[item + 1]!; k++) {
      const slot = this.slot(indices[k]!);
      const w = weights[k]!;
      const at = slot * dim;
      for (let j = 0; j < dim; j++) out[j]! += scale * w * this.emb[at + j]!;
      b += w * this.bias[slot]!;
    }
    return b;
  }

  private clearStep(): void {
    for (const slot of this.stepSlots) {
      this.gradEmb.fill(0, slot * this.dim, (slot + 1) * this.dim);
      this.gradBias[slot] = 0;
    }
    this.stepSlots = [];
    this.inStep.clear();
  }

  /** The item's feature rows gain ω · scale · direction in their vectors and ω · biasGradient in their biases. */
  accumulate(item: number, scale: number, direction: Float32Array, biasGradient: number): void {
    const { offsets, indices, weights } = this.features;
    const dim = this.dim;
    for (let k = offsets[item]!; k < offsets[item + 1]!; k++) {
      const slot = this.slot(indices[k]!);
      if (!this.inStep.has(slot)) {
        this.inStep.add(slot);
        this.stepSlots.push(slot);
      }
      const w = weights[k]!;
      const at = slot * dim;
      for (let j = 0; j < dim; j++) this.gradEmb[at + j]! += w * scale * direction[j]!;
      this.gradBias[slot]! += w * biasGradient;
    }
  }

  /** Ascend the accumulated gradient, with L2 on the rows it touched. */
  applyStep(learningRate: number, l2: number): void {
    const dim = this.dim;
    for (const slot of this.stepSlots) {
      const at = slot * dim;
      for (let j = 0; j < dim; j++) this.emb[at + j]! += learningRate * (this.gradEmb[at + j]! - l2 * this.emb[at + j]!);
      this.bias[slot]! += learningRate * (this.gradBias[slot]! - l2 * this.bias[slot]!);
    }
    this.clearStep();
  }

  delta(): Omit<HybridDelta, 'steps'> {
    const dim = this.dim;
    const n = this.rows.length;
    const rows = Int32Array.from(this.rows);
    const embeddings = new Float32Array(n * dim);
    const biases = new Float32Array(n);
    const values = this.model.values;
    for (let slot = 0; slot < n; slot++) {
      const row = rows[slot]! * dim;
      for (let j = 0; j < dim; j++) embeddings[slot * dim + j] = this.emb[slot * dim + j]! - values[row + j]!;
      biases[slot] = this.bias[slot]! - values[this.biasStart + rows[slot]!]!;
    }
    return { rows, embeddings, biases };
  }

  private slot(feature: number): number {
    let slot = this.slotOf.get(feature);
    if (slot !== undefined) return slot;
    slot = this.rows.length;
    this.slotOf.set(feature, slot);
    this.rows.push(feature);
    const dim = this.dim;
    if ((slot + 1) * dim > this.emb.length) this.grow(Math.max(16, 2 * (slot + 1)));
    this.emb.set(this.model.values.subarray(feature * dim, (feature + 1) * dim), slot * dim);
    this.bias[slot] = this.model.values[this.biasStart + feature]!;
    return slot;
  }

  private grow(capacity: number): void {
    const dim = this.dim;
    const grown = (old: Float32Array, size: number) => {
      const next = new Float32Array(size);
      next.set(old);
      return next;
    };
    this.emb = grown(this.emb, capacity * dim);
    this.gradEmb = grown(this.gradEmb, capacity * dim);
    this.bias = grown(this.bias, capacity);
    this.gradBias = grown(this.gradBias, capacity);
  }
}
