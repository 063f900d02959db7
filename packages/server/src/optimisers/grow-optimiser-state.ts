import type { ParameterShape } from '@fedrec/core/model';
import { parameterCount } from '@fedrec/core/model';
import type { OptimiserState } from './server-optimiser.js';

/**
 * A checkpoint's optimiser state for a model grown from `from` to `to` rows
 * (new products appended): every state vector keeps its values for the rows
 * it had, in the flat layout's two blocks (embeddings, then biases), and takes
 * `fresh`'s values for the new rows, `fresh` being the state a new optimiser
 * has for the grown model (zero momentum, FedAdam's v at τ², denoising's
 * initial values at the new rows' starting point and no displacement yet).
 * Step count and scalars are kept: the new rows join a run already under way.
 */
export function growOptimiserState(state: OptimiserState, from: ParameterShape, to: ParameterShape, fresh: OptimiserState): OptimiserState {
  if (from.dim !== to.dim || to.numItems < from.numItems) {
    throw new RangeError(`expected a grown shape with dim ${from.dim} and at least ${from.numItems} rows, got ${to.numItems}×${to.dim}`);
  }
  const length = parameterCount(to);
  const arrays: Record<string, Float64Array> = {};
  for (const [name, old] of Object.entries(state.arrays)) {
    if (old.length !== parameterCount(from)) throw new RangeError(`expected '${name}' of length ${parameterCount(from)}, got ${old.length}`);
    const start = fresh.arrays[name];
    const grown = start !== undefined && start.length === length ? Float64Array.from(start) : new Float64Array(length);
    const oldEmbeddings = from.numItems * from.dim;
    grown.set(old.subarray(0, oldEmbeddings), 0);
    grown.set(old.subarray(oldEmbeddings), to.numItems * to.dim);
    arrays[name] = grown;
  }
  return { ...state, arrays };
}
