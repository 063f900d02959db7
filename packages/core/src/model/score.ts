import type { ParameterShape } from './shared-parameters.js';

/**
 * Scores of every item for one shopper: s_i = u·v_i + b_i. Plain loops: one
 * pass over the table, cheaper than moving it into a tensor for a single
 * matrix-vector product.
 */
export function scoreAllItems(shape: ParameterShape, values: Float32Array, userVector: Float32Array, out?: Float32Array): Float32Array {
  const { numItems, dim } = shape;
  if (userVector.length !== dim) throw new RangeError(`expected a user vector of length ${dim}, got ${userVector.length}`);
  const scores = out ?? new Float32Array(numItems);
  const biasStart = numItems * dim;
  for (let i = 0; i < numItems; i++) {
    let s = values[biasStart + i]!;
    const row = i * dim;
    for (let j = 0; j < dim; j++) s += userVector[j]! * values[row + j]!;
    scores[i] = s;
  }
  return scores;
}
