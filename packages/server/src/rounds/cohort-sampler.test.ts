import { createSeededRandomSource, deriveSeed } from '@fedrec/core/random';
import { describe, expect, it } from 'vitest';
import { sampleCohort } from './cohort-sampler.js';

const population = Array.from({ length: 400 }, (_, i) => `c${String(i).padStart(3, '0')}`).sort();

describe('sampleCohort', () => {
  it('Poisson: each client is included independently with probability q (fixed seed)', () => {
    const q = 0.1;
    const rounds = 500;
    const inclusions = new Map<string, number>();
    const sizes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const cohort = sampleCohort(population, { kind: 'poisson', rate: q }, createSeededRandomSource(deriveSeed('poisson-test', round)));
      sizes.push(cohort.length);
      for (const id of cohort) inclusions.set(id, (inclusions.get(id) ?? 0) + 1);
    }
    const n = population.length;
    const meanSize = sizes.reduce((a, b) => a + b, 0) / rounds;
    const variance = sizes.reduce((a, b) => a + (b - meanSize) ** 2, 0) / (rounds - 1);
    // Binomial(n, q): mean nq = 40, variance nq(1−q) = 36. The size genuinely varies.
    expect(Math.abs(meanSize - n * q)).toBeLessThan(1.5);
    expect(variance / (n * q * (1 - q))).toBeGreaterThan(0.75);
    expect(variance / (n * q * (1 - q))).toBeLessThan(1.3);
    // Every client's inclusion rate is near q (Binomial(500, 0.1): σ ≈ 6.7, so ±5σ).
    for (const id of population) expect(Math.abs((inclusions.get(id) ?? 0) - rounds * q)).toBeLessThan(34);
  });

  it('fixed: exactly `size` distinct eligible clients, or all of them if fewer', () => {
    const random = createSeededRandomSource('fixed-test');
    const cohort = sampleCohort(population, { kind: 'fixed', size: 25 }, random);
    expect(cohort).toHaveLength(25);
    expect(new Set(cohort).size).toBe(25);
    expect(cohort.every((id) => population.includes(id))).toBe(true);
    expect(sampleCohort(['a', 'b'], { kind: 'fixed', size: 5 }, random)).toEqual(['a', 'b']);
  });

  it('fixed: every client is equally likely to be picked', () => {
    const small = ['a', 'b', 'c', 'd', 'e'];
    const counts = new Map<string, number>();
    for (let round = 0; round < 2000; round++) {
      for (const id of sampleCohort(small, { kind: 'fixed', size: 2 }, createSeededRandomSource(deriveSeed('uniform', round)))) {
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    // Each is picked with probability 2/5: 800 of 2000 (σ ≈ 22).
    for (const id of small) expect(Math.abs(counts.get(id)! - 800)).toBeLessThan(110);
  });

  it('is reproducible from the seed', () => {
    const a = sampleCohort(population, { kind: 'poisson', rate: 0.3 }, createSeededRandomSource('same'));
    const b = sampleCohort(population, { kind: 'poisson', rate: 0.3 }, createSeededRandomSource('same'));
    expect(a).toEqual(b);
  });
});
