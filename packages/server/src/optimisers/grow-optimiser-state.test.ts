import { describe, expect, it } from 'vitest';
import { growOptimiserState } from './grow-optimiser-state.js';

describe('growOptimiserState', () => {
  it('keeps each state vector’s values for the old rows in both blocks and takes the fresh state’s for the new rows', () => {
    // 2 rows × dim 2 → 3 rows: layout [e0 e0 e1 e1 | b0 b1] → [e0 e0 e1 e1 e2 e2 | b0 b1 b2].
    const state = { kind: 'fedadam' as const, step: 4, arrays: { m: Float64Array.from([1, 2, 3, 4, 5, 6]), v: Float64Array.from([1, 1, 1, 1, 1, 1]) } };
    const fresh = { kind: 'fedadam' as const, step: 0, arrays: { m: new Float64Array(9), v: new Float64Array(9).fill(1e-6) } };
    const grown = growOptimiserState(state, { numItems: 2, dim: 2 }, { numItems: 3, dim: 2 }, fresh);
    expect(grown.step).toBe(4);
    expect(Array.from(grown.arrays.m!)).toEqual([1, 2, 3, 4, 0, 0, 5, 6, 0]);
    expect(Array.from(grown.arrays.v!)).toEqual([1, 1, 1, 1, 1e-6, 1e-6, 1, 1, 1e-6]);
    expect(() => growOptimiserState(state, { numItems: 2, dim: 2 }, { numItems: 3, dim: 3 }, fresh)).toThrow(/dim 2/);
  });
});
