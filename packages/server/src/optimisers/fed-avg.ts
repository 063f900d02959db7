import type { OptimiserState, ServerOptimiser } from './server-optimiser.js';
import { assertRestorable, assertSameLength } from './server-optimiser.js';

export interface FedAvgOptions {
  /** η, the server learning rate; 1 is McMahan et al.'s FedAvg. */
  readonly learningRate: number;
}

/** x ← x + η·Δ̄ (McMahan et al. 2017, with a server learning rate). Stateless apart from its step count. */
export class FedAvg implements ServerOptimiser {
  readonly kind = 'fedavg' as const;
  private steps = 0;

  constructor(
    private readonly options: FedAvgOptions,
    private readonly length: number,
  ) {}

  step(params: Float32Array, meanDelta: Float64Array): void {
    assertSameLength(params, meanDelta);
    const lr = this.options.learningRate;
    for (let i = 0; i < params.length; i++) params[i] = params[i]! + lr * meanDelta[i]!;
    this.steps++;
  }

  snapshot(): OptimiserState {
    return { kind: this.kind, step: this.steps, arrays: {} };
  }

  restore(state: OptimiserState): void {
    assertRestorable(this.kind, this.length, state, []);
    this.steps = state.step;
  }
}
