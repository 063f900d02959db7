import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { itemMask } from './item-mask.js';
import { sampleNegatives } from './sample-negatives.js';

function draw(numItems: number, interactedItems: number[], count: number, seed: string): Int32Array {
  return sampleNegatives({ numItems, count, interacted: itemMask(numItems, interactedItems), rng: seedrandom(seed) });
}

describe('sampleNegatives', () => {
  it('draws distinct items the user never interacted with, for sparse and dense users alike', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }).chain((numItems) =>
          fc.record({
            numItems: fc.constant(numItems),
            interacted: fc.uniqueArray(fc.integer({ min: 0, max: numItems - 1 }), { maxLength: numItems }),
            fraction: fc.double({ min: 0, max: 1, noNaN: true }),
            seed: fc.string(),
          }),
        ),
        ({ numItems, interacted, fraction, seed }) => {
          const available = numItems - interacted.length;
          const count = Math.floor(fraction * available);
          const negatives = draw(numItems, interacted, count, seed);
          expect(negatives.length).toBe(count);
          expect(new Set(negatives).size).toBe(count);
          const touched = new Set(interacted);
          for (const item of negatives) {
            expect(touched.has(item)).toBe(false);
            expect(item >= 0 && item < numItems).toBe(true);
          }
        },
      ),
    );
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = draw(20_000, [1, 2, 3], 99, 'seed-1');
    expect(draw(20_000, [1, 2, 3], 99, 'seed-1')).toEqual(a);
    expect(draw(20_000, [1, 2, 3], 99, 'seed-2')).not.toEqual(a);
  });

  it('can take every eligible item, and refuses to take more', () => {
    const all = draw(10, [0, 5, 9], 7, 's');
    expect(Array.from(all).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 6, 7, 8]);
    expect(() => draw(10, [0, 5, 9], 8, 's')).toThrow(RangeError);
  });

  // 10 eligible items either way; at 40 items rejection sampling usually finishes, at 400 it usually gives up and enumerates.
  it.each([40, 400])('is roughly uniform over eligible items when most of %i items are interacted with', (numItems) => {
    const interacted = Array.from({ length: numItems - 10 }, (_, i) => i + 5);
    const counts = new Map<number, number>();
    const rng = seedrandom(`uniformity/${numItems}`);
    const trials = 4_000;
    for (let t = 0; t < trials; t++) {
      const picked = sampleNegatives({ numItems, count: 3, interacted: itemMask(numItems, interacted), rng });
      for (const item of picked) counts.set(item, (counts.get(item) ?? 0) + 1);
    }
    // Each of the 10 eligible items should be picked in ~3/10 of trials.
    expect(counts.size).toBe(10);
    for (const c of counts.values()) {
      expect(c / trials).toBeGreaterThan(0.25);
      expect(c / trials).toBeLessThan(0.35);
    }
  });
});
