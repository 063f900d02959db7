import type { ServerOptimiser } from '../optimisers/server-optimiser.js';

/**
 * Applies one optimiser step, or none at all: if the model or the
 * optimiser's state would hold a NaN or ±Infinity afterwards (a float32
 * overflow, an adaptive optimiser dividing by ~0), both are put back as they
 * were and false is returned. A non-finite model must never be published or
 * checkpointed: clients refuse it and the server's own loader would too.
 *
 * Costs one copy of the model and of the optimiser's state per round, small
 * next to the aggregation itself.
 */
export function stepOrRollBack(optimiser: ServerOptimiser, params: Float32Array, meanDelta: Float64Array, meanNoiseStd: number): boolean {
  const paramsBefore = params.slice();
  const stateBefore = optimiser.snapshot();
  const arraysBefore = Object.fromEntries(Object.entries(stateBefore.arrays).map(([name, array]) => [name, array.slice()]));
  optimiser.step(params, meanDelta, meanNoiseStd);
  const after = optimiser.snapshot();
  if (allFinite(params) && Object.values(after.arrays).every(allFinite) && Object.values(after.scalars ?? {}).every(Number.isFinite)) return true;
  params.set(paramsBefore);
  optimiser.restore({ ...stateBefore, arrays: arraysBefore });
  return false;
}

function allFinite(values: Float32Array | Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}
