import type { SharedModel } from '@fedrec/core/model';
import { DenoisedModel } from '@fedrec/core/model';
import type { OptimiserState, ServerOptimiser } from './server-optimiser.js';
import { assertRestorable, assertSameLength } from './server-optimiser.js';

export interface DenoisedFedAvgOptions {
  /** η, the server learning rate. */
  readonly learningRate: number;
  /** The release's cut-off in units of the accumulated noise's standard deviation (see core's `DenoisedModel`). */
  readonly denoise: { readonly threshold: number };
}

/**
 * FedAvg that serves a denoised model: the raw displacement D = Σ_t η·Δ̄_t
 * is internal state and the model clients train on is initial + shrink(D),
 * each item row group-soft-thresholded at the expected norm of the noise D
 * has accumulated (core's `DenoisedModel`, shared with the simulator).
 * Post-processing of the noised means only: no privacy cost.
 *
 * Its checkpoint state is the initial values and D (float64 sections) and
 * σ² (a scalar), so a restarted server releases the same model and goes on
 * bit for bit.
 *
 * @example
 * const optimiser = new DenoisedFedAvg({ learningRate: 2, denoise: { threshold: 1 } }, model);
 * optimiser.step(model.values, mean, meanNoiseStd); // model.values ← the released model
 */
export class DenoisedFedAvg implements ServerOptimiser {
  readonly kind = 'fedavg' as const;
  private steps = 0;
  private readonly denoiser: DenoisedModel;

  constructor(
    private readonly options: DenoisedFedAvgOptions,
    /** The model denoising starts from (its values are copied). */
    start: SharedModel,
  ) {
    this.denoiser = new DenoisedModel(start, options.denoise);
  }

  step(params: Float32Array, meanDelta: Float64Array, meanNoiseStd = 0): void {
    assertSameLength(params, meanDelta);
    params.set(this.denoiser.step(meanDelta, this.options.learningRate, meanNoiseStd).values);
    this.steps++;
  }

  /** σ: the standard deviation of the noise accumulated in each coordinate of D. */
  get noiseStd(): number {
    return this.denoiser.noiseStd;
  }

  snapshot(): OptimiserState {
    const { initial, displacement, noiseVariance } = this.denoiser.snapshot();
    return { kind: this.kind, step: this.steps, arrays: { initial: Float64Array.from(initial), displacement }, scalars: { noiseVariance } };
  }

  /**
   * Resumes from a checkpoint. State without denoising (a plain FedAvg
   * checkpoint) keeps the fresh state: denoising starts from the model given
   * to the constructor.
   */
  restore(state: OptimiserState): void {
    const length = this.denoiser.snapshot().displacement.length;
    if (!DenoisedFedAvg.hasDenoisingState(state)) {
      assertRestorable(this.kind, length, state, []);
      this.steps = state.step;
      return;
    }
    assertRestorable(this.kind, length, state, ['initial', 'displacement']);
    const noiseVariance = state.scalars?.noiseVariance;
    if (noiseVariance === undefined) throw new RangeError("optimiser state is missing the scalar 'noiseVariance'");
    this.denoiser.restore({ initial: Float32Array.from(state.arrays.initial!), displacement: state.arrays.displacement!, noiseVariance });
    this.steps = state.step;
  }

  /** Whether a checkpoint's optimiser state carries denoising state. */
  static hasDenoisingState(state: OptimiserState): boolean {
    return state.arrays.displacement !== undefined;
  }
}
