export type OptimiserKind = 'fedavg' | 'fedavgm' | 'fedadam';

/** What a checkpoint stores of an optimiser: its kind, step count and state vectors. */
export interface OptimiserState {
  readonly kind: OptimiserKind;
  /** Server steps taken so far. */
  readonly step: number;
  /** Named state vectors, each as long as the model (empty for FedAvg without denoising). */
  readonly arrays: Readonly<Record<string, Float64Array>>;
  /** Named state numbers (denoising's accumulated noise variance); absent when there are none. */
  readonly scalars?: Readonly<Record<string, number>>;
}

/**
 * A server optimiser in the FedOpt sense (Reddi et al. 2021): the mean client
 * delta Δ̄ (after − before, so it points downhill) is treated as a
 * pseudo-gradient step, and the optimiser decides how far to move.
 *
 * State is float64 and O(model): resumed runs continue bit for bit.
 */
export interface ServerOptimiser {
  readonly kind: OptimiserKind;
  /**
   * params ← params + f(meanDelta), in place; the arithmetic is float64, the
   * result is rounded to float32 once. `meanNoiseStd` is the standard
   * deviation of the DP noise in each coordinate of `meanDelta` (0 without
   * privacy); only a denoising optimiser uses it.
   */
  step(params: Float32Array, meanDelta: Float64Array, meanNoiseStd?: number): void;
  /** The current state; the arrays are the live ones (no copy), to be serialised before the next step. */
  snapshot(): OptimiserState;
  /** Replaces the state with a checkpoint's. Throws RangeError if kinds or lengths differ. */
  restore(state: OptimiserState): void;
}

export function assertSameLength(params: Float32Array, meanDelta: Float64Array): void {
  if (params.length !== meanDelta.length) {
    throw new RangeError(`expected a mean delta of length ${params.length}, got ${meanDelta.length}`);
  }
}

export function assertRestorable(kind: OptimiserKind, length: number, state: OptimiserState, names: readonly string[]): void {
  if (state.kind !== kind) throw new RangeError(`expected ${kind} optimiser state, got ${state.kind}`);
  if (!Number.isSafeInteger(state.step) || state.step < 0) throw new RangeError(`expected a step count >= 0, got ${state.step}`);
  for (const name of names) {
    const array = state.arrays[name];
    if (array === undefined) throw new RangeError(`optimiser state is missing '${name}'`);
    if (array.length !== length) throw new RangeError(`expected '${name}' of length ${length}, got ${array.length}`);
  }
}
