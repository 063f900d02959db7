import { describe, it, expect } from 'vitest';
import type { ShoppingEvent } from '@fedrec/core';
import type { Population } from '../population/population.js';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { defaultServerLearningRate, meanItemsPerShopper, SERVER_STEP_SCALE } from './default-server-learning-rate.js';

describe('defaultServerLearningRate', () => {
  it('is 30 · items / (rounds · √m), capped at the expected cohort', () => {
    expect(defaultServerLearningRate({ items: 1_682, meanItemsPerShopper: 106, rounds: 95, expectedCohort: 100 })).toBeCloseTo((SERVER_STEP_SCALE * 1_682) / (95 * Math.sqrt(106)), 10);
    expect(defaultServerLearningRate({ items: 12_101, meanItemsPerShopper: 8.7, rounds: 150, expectedCohort: 671 })).toBe(671);
  });

  it('lands where the measured optimum lies: ~50 on MovieLens-100K, ~30 on the built-in synthetic shoppers, the cap on Amazon Beauty', () => {
    // Noise-free HR@10 (seed 1): MovieLens η 20/40/80/160 → 0.62/0.66/0.67/0.65;
    // synthetic 10,000 × 500 η 20/40/80 → 0.70/0.70/0.67; Beauty η 20/300/700 → 0.30/0.43/0.45.
    const movielens = defaultServerLearningRate({ items: 1_682, meanItemsPerShopper: 106, rounds: 95, expectedCohort: 100 });
    const synthetic = defaultServerLearningRate({ items: 500, meanItemsPerShopper: 12.7, rounds: 150, expectedCohort: 300 });
    const beauty = defaultServerLearningRate({ items: 12_101, meanItemsPerShopper: 8.7, rounds: 150, expectedCohort: 671 });
    expect(movielens).toBeGreaterThan(40);
    expect(movielens).toBeLessThan(80);
    expect(synthetic).toBeGreaterThan(20);
    expect(synthetic).toBeLessThan(40);
    expect(beauty).toBeGreaterThan(300);
  });

  it('grows with a sparser catalogue and shrinks with longer histories and longer runs', () => {
    const base = { items: 2_000, meanItemsPerShopper: 20, rounds: 100, expectedCohort: 10_000 };
    const eta = defaultServerLearningRate(base);
    expect(defaultServerLearningRate({ ...base, items: 4_000 })).toBeCloseTo(2 * eta, 10);
    expect(defaultServerLearningRate({ ...base, meanItemsPerShopper: 80 })).toBeCloseTo(eta / 2, 10);
    expect(defaultServerLearningRate({ ...base, rounds: 200 })).toBeCloseTo(eta / 2, 10);
  });

  it('rejects inputs that are not positive', () => {
    const base = { items: 10, meanItemsPerShopper: 2, rounds: 5, expectedCohort: 3 };
    expect(() => defaultServerLearningRate({ ...base, items: 0 })).toThrow(RangeError);
    expect(() => defaultServerLearningRate({ ...base, meanItemsPerShopper: 0 })).toThrow(RangeError);
    expect(() => defaultServerLearningRate({ ...base, rounds: 1.5 })).toThrow(RangeError);
    expect(() => defaultServerLearningRate({ ...base, expectedCohort: Number.NaN })).toThrow(RangeError);
  });
});

describe('meanItemsPerShopper', () => {
  const fixed = (histories: number[][]): Population => ({
    name: 'fixed',
    numShoppers: histories.length,
    numItems: 10,
    shopper: (index) => ({ index, events: histories[index]!.map((item, k): ShoppingEvent => ({ item, type: 'view', time: k })) }),
  });

  it('counts distinct items, every shopper of a small population', () => {
    // Repeat events on an item count once; an empty history counts 0.
    expect(meanItemsPerShopper(fixed([[1, 2, 2, 3], [4], [], [5, 6, 5]]), { seed: 1 })).toBeCloseTo((3 + 1 + 0 + 2) / 4, 12);
  });

  it('samples a large population deterministically, close to the full mean', () => {
    const population = new SyntheticPopulation({ shoppers: 5_000, items: 200, seed: 'history' });
    const sampled = meanItemsPerShopper(population, { seed: 3, sampleSize: 1_000 });
    expect(meanItemsPerShopper(population, { seed: 3, sampleSize: 1_000 })).toBe(sampled);
    const full = meanItemsPerShopper(population, { seed: 3, sampleSize: 5_000 });
    expect(Math.abs(sampled - full) / full).toBeLessThan(0.05);
  });

  it('is at least 1', () => {
    expect(meanItemsPerShopper(fixed([[], []]), { seed: 1 })).toBe(1);
    expect(meanItemsPerShopper(fixed([]), { seed: 1 })).toBe(1);
  });
});
