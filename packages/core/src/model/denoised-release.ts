import type { SharedModel } from './shared-parameters.js';

/** The state a DenoisedModel needs to resume: initial values, raw displacement D and accumulated noise variance σ². */
export interface DenoisedModelState {
  readonly initial: Float32Array;
  readonly displacement: Float64Array;
  /** σ², the variance of the noise accumulated in each coordinate of D. */
  readonly noiseVariance: number;
}

/**
 * A DP-FedAvg server that releases a denoised model. Post-processing of the
 * noised sums only, so it costs no privacy.
 *
 * Why: with noise on every round's sum, each parameter takes a random walk of
 * standard deviation σ = √(Σ_t (η_t σ_sum,t / n_t)²) over a run, the same for
 * every item — while the signal an item collects grows with the number of
 * shoppers who touch it. On a long-tail catalogue most rows are touched by a
 * handful of shoppers, so most rows are mostly noise, and the noise on the
 * 99 sampled negatives of a leave-one-out test outranks the held-out item.
 *
 * How: the server keeps the raw sum of its steps, D = Σ_t η_t/n_t · (noised
 * sum)_t, and knows σ exactly. It releases initial + shrink(D), in the manner
 * of dual averaging / FTRL (the shoppers' next deltas are computed on the
 * released model and added to the raw D):
 *
 * - each item's embedding row is soft-thresholded as a group at the expected
 *   norm of its noise, λ = threshold · σ · √d: a row whose displacement is
 *   no longer than pure noise would be stays at its initial value; a longer
 *   one keeps its direction and loses λ of its length;
 * - each bias is soft-thresholded at threshold · σ around the mean bias
 *   displacement (a shift of every bias changes no ranking).
 *
 * With σ = 0 (no noise) the released model is initial + D.
 *
 * Used by the simulator's fast mode and by the aggregation server's
 * `optimiser.denoise` option; `snapshot`/`restore` let a server checkpoint
 * the raw state and resume bit for bit.
 *
 * @example
 * const server = new DenoisedModel(createSharedModel(shape, { seed }), { threshold: 1 });
 * model = server.step(noisedSum, serverLearningRate / contributors, noiseMultiplier * clipNorm);
 */
export class DenoisedModel {
  readonly threshold: number;
  readonly #shape: SharedModel['shape'];
  readonly #initial: Float32Array;
  readonly #displacement: Float64Array;
  #noiseVariance = 0;
  #version: number;

  constructor(initial: SharedModel, options: { readonly threshold: number }) {
    if (!(options.threshold >= 0 && Number.isFinite(options.threshold))) throw new RangeError(`expected threshold >= 0, got ${options.threshold}`);
    this.threshold = options.threshold;
    this.#shape = initial.shape;
    this.#initial = Float32Array.from(initial.values);
    this.#displacement = new Float64Array(initial.values.length);
    this.#version = initial.version;
  }

  /** σ: standard deviation of the noise accumulated in each coordinate of D so far. */
  get noiseStd(): number {
    return Math.sqrt(this.#noiseVariance);
  }

  /**
   * Apply one round: D += stepScale · sum, where the sum carries Gaussian
   * noise of standard deviation `sumNoiseStd` per coordinate. Returns the
   * released model.
   */
  step(sum: Float64Array, stepScale: number, sumNoiseStd: number): SharedModel {
    if (sum.length !== this.#displacement.length) throw new RangeError(`expected a sum of length ${this.#displacement.length}, got ${sum.length}`);
    if (!(stepScale >= 0 && Number.isFinite(stepScale))) throw new RangeError(`expected stepScale >= 0, got ${stepScale}`);
    if (!(sumNoiseStd >= 0 && Number.isFinite(sumNoiseStd))) throw new RangeError(`expected sumNoiseStd >= 0, got ${sumNoiseStd}`);
    const d = this.#displacement;
    for (let i = 0; i < d.length; i++) d[i]! += stepScale * sum[i]!;
    this.#noiseVariance += (stepScale * sumNoiseStd) ** 2;
    this.#version++;
    return { shape: this.#shape, version: this.#version, values: this.release() };
  }

  /** The released values for the current state: initial + shrink(D). A fresh array. */
  release(): Float32Array {
    return shrinkDisplacement(this.#initial, this.#displacement, this.#shape, this.threshold * this.noiseStd);
  }

  /** The current state; the arrays are the live ones (no copy), to be serialised before the next step. */
  snapshot(): DenoisedModelState {
    return { initial: this.#initial, displacement: this.#displacement, noiseVariance: this.#noiseVariance };
  }

  /** Replaces the state with a snapshot's (copied). Throws RangeError if lengths differ or σ² is not finite and >= 0. */
  restore(state: DenoisedModelState): void {
    const length = this.#displacement.length;
    if (state.initial.length !== length) throw new RangeError(`expected initial values of length ${length}, got ${state.initial.length}`);
    if (state.displacement.length !== length) throw new RangeError(`expected a displacement of length ${length}, got ${state.displacement.length}`);
    if (!(state.noiseVariance >= 0 && Number.isFinite(state.noiseVariance))) throw new RangeError(`expected noiseVariance >= 0, got ${state.noiseVariance}`);
    this.#initial.set(state.initial);
    this.#displacement.set(state.displacement);
    this.#noiseVariance = state.noiseVariance;
  }
}

/**
 * initial + shrink(displacement), with the cut-off `cutoff` = threshold · σ
 * in the units of one coordinate's noise: embedding rows are cut at
 * cutoff · √d (group soft-thresholding), biases at cutoff around their mean.
 * Exported for tests.
 */
export function shrinkDisplacement(initial: Float32Array, displacement: Float64Array, shape: SharedModel['shape'], cutoff: number): Float32Array {
  const { numItems, dim } = shape;
  const out = new Float32Array(initial.length);
  const rowCutoff = cutoff * Math.sqrt(dim);
  for (let item = 0; item < numItems; item++) {
    const start = item * dim;
    let squares = 0;
    for (let j = start; j < start + dim; j++) squares += displacement[j]! * displacement[j]!;
    const norm = Math.sqrt(squares);
    const keep = norm > rowCutoff ? 1 - rowCutoff / norm : 0;
    for (let j = start; j < start + dim; j++) out[j] = initial[j]! + keep * displacement[j]!;
  }
  const biasStart = numItems * dim;
  let mean = 0;
  for (let item = 0; item < numItems; item++) mean += displacement[biasStart + item]!;
  mean /= numItems;
  for (let item = 0; item < numItems; item++) {
    const offset = displacement[biasStart + item]! - mean;
    const shrunk = Math.sign(offset) * Math.max(0, Math.abs(offset) - cutoff);
    out[biasStart + item] = initial[biasStart + item]! + mean + shrunk;
  }
  return out;
}
