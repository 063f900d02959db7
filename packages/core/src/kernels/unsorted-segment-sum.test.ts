import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { unsortedSegmentSumReference } from '../test-support/unsorted-segment-sum-reference.js';
import { KERNEL_BACKENDS, useBackend } from '../test-support/backends.js';

describe.each(KERNEL_BACKENDS)('UnsortedSegmentSum on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('equals the reference on random inputs, dropping out-of-range ids', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer(),
        (numSegments, rowSize, n, seed) => {
          const rng = mulberry(seed);
          const x = Float32Array.from({ length: n * rowSize }, () => rng() * 2 - 1);
          const ids = Int32Array.from({ length: n }, () => Math.floor(rng() * (numSegments + 4)) - 2);
          const got = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(x, [n, rowSize]), tf.tensor1d(ids, 'int32'), numSegments).dataSync());
          const want = unsortedSegmentSumReference(x, rowSize, ids, numSegments);
          expect(got.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('makes the gradient of tf.gather equal the reference scatter-add', () => {
    const rng = mulberry(7);
    const rows = 50;
    const d = 8;
    const table = tf.variable(tf.randomNormal([rows, d], 0, 1, 'float32', 3));
    const idx = Int32Array.from({ length: 200 }, () => Math.floor(rng() * rows));
    const upstream = Float32Array.from({ length: 200 * d }, () => rng());
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(tf.gather(table, tf.tensor1d(idx, 'int32')), tf.tensor2d(upstream, [200, d]))),
      [table],
    );
    const got = grads[table.name]!.dataSync();
    const want = unsortedSegmentSumReference(upstream, d, idx, rows);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 4);
    table.dispose();
  });
});

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
