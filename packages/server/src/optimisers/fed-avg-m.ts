import type { OptimiserState, ServerOptimiser } from './server-optimiser.js';
import { assertRestorable, assertSameLength } from './server-optimiser.js';

export interface FedAvgMOptions {
  /** η */
  readonly learningRate: number;
  /** β in [0, 1) */
  readonly momentum: number;
}

/**
 * FedAvg with server momentum (Hsu et al. 2019):
 *
 *   m ← β·m + Δ̄
 *   x ← x + η·m
 *
 * Momentum smooths the noisy per-round means that small, DP-noised cohorts produce.
 */
export class FedAvgM implements ServerOptimiser {
  readonly kind = 'fedavgm' as const;
  private steps = 0;
  private readonly momentum: Float64Array;

  constructor(
    private readonly options: FedAvgMOptions,
    length: number,
  ) {
    this.momentum = new Float64Array(length);
  }

  step(params: Float32Array, meanDelta: Float64Array): void {
    assertSameLength(params, meanDelta);
    const { learningRate: lr, momentum: beta } = this.options;
    const m = this.momentum;
    for (let i = 0; i < params.length; i++) {
      m[i] = beta * m[i]! + meanDelta[i]!;
      params[i] = params[i]! + lr * m[i]!;
    }
    this.steps++;
  }

  snapshot(): OptimiserState {
    return { kind: this.kind, step: this.steps, arrays: { momentum: this.momentum } };
  }

  restore(state: OptimiserState): void {
    assertRestorable(this.kind, this.momentum.length, state, ['momentum']);
    this.momentum.set(state.arrays.momentum!);
    this.steps = state.step;
  }
}
