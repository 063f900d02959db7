import { describe, it, expect } from 'vitest';
import { createSeededRandomSource } from '@fedrec/core';
import { poissonCohort } from './poisson-cohort.js';

describe('poissonCohort', () => {
  it('includes each shopper independently with probability q', () => {
    const random = createSeededRandomSource('cohort');
    const n = 2_000;
    const q = 0.05;
    const hits = new Float64Array(n);
    const trials = 400;
    let total = 0;
    for (let t = 0; t < trials; t++) {
      const cohort = poissonCohort(n, q, random);
      total += cohort.length;
      for (const i of cohort) hits[i]!++;
      expect(new Set(cohort).size).toBe(cohort.length);
    }
    // Mean cohort size n·q = 100 with standard error ~0.49 over 400 trials.
    expect(total / trials).toBeGreaterThan(98);
    expect(total / trials).toBeLessThan(102);
    // No position bias: first and last quarter are sampled alike.
    const quarter = (from: number) => hits.slice(from, from + n / 4).reduce((a, b) => a + b, 0);
    expect(Math.abs(quarter(0) - quarter((3 * n) / 4)) / quarter(0)).toBeLessThan(0.1);
  });

  it('handles the edges and rejects a bad rate', () => {
    const random = createSeededRandomSource(1);
    expect(poissonCohort(10, 0, random)).toEqual([]);
    expect(poissonCohort(5, 1, random)).toEqual([0, 1, 2, 3, 4]);
    expect(() => poissonCohort(5, 1.5, random)).toThrow(RangeError);
  });
});
