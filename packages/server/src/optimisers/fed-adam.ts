import type { OptimiserState, ServerOptimiser } from './server-optimiser.js';
import { assertRestorable, assertSameLength } from './server-optimiser.js';

export interface FedAdamOptions {
  /** η */
  readonly learningRate: number;
  /** β₁ in [0, 1) */
  readonly beta1: number;
  /** β₂ in [0, 1) */
  readonly beta2: number;
  /** τ > 0, the degree of adaptivity. */
  readonly tau: number;
}

/**
 * FedAdam as in Reddi et al. 2021, "Adaptive Federated Optimization",
 * Algorithm 2, with Δ̄ the mean client delta:
 *
 *   m ← β₁·m + (1 − β₁)·Δ̄
 *   v ← β₂·v + (1 − β₂)·Δ̄²
 *   x ← x + η·m / (√v + τ)
 *
 * As in the paper there is no bias correction, and v starts at τ² (the paper
 * requires v₋₁ ≥ τ²), so the first steps are damped rather than amplified.
 */
export class FedAdam implements ServerOptimiser {
  readonly kind = 'fedadam' as const;
  private steps = 0;
  private readonly m: Float64Array;
  private readonly v: Float64Array;

  constructor(
    private readonly options: FedAdamOptions,
    length: number,
  ) {
    this.m = new Float64Array(length);
    this.v = new Float64Array(length).fill(options.tau * options.tau);
  }

  step(params: Float32Array, meanDelta: Float64Array): void {
    assertSameLength(params, meanDelta);
    const { learningRate: lr, beta1, beta2, tau } = this.options;
    const { m, v } = this;
    for (let i = 0; i < params.length; i++) {
      const d = meanDelta[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * d;
      v[i] = beta2 * v[i]! + (1 - beta2) * d * d;
      params[i] = params[i]! + (lr * m[i]!) / (Math.sqrt(v[i]!) + tau);
    }
    this.steps++;
  }

  snapshot(): OptimiserState {
    return { kind: this.kind, step: this.steps, arrays: { m: this.m, v: this.v } };
  }

  restore(state: OptimiserState): void {
    assertRestorable(this.kind, this.m.length, state, ['m', 'v']);
    this.m.set(state.arrays.m!);
    this.v.set(state.arrays.v!);
    this.steps = state.step;
  }
}
