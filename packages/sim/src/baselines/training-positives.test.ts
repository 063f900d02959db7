import { describe, it, expect } from 'vitest';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { leaveOneOut } from '../population/leave-one-out.js';
import { trainingPositives } from './training-positives.js';

describe('trainingPositives', () => {
  it('never contains a held-out item, and is empty where there is no split', () => {
    const population = new SyntheticPopulation({ shoppers: 200, items: 50, seed: 'positives' });
    const positives = trainingPositives(population);
    expect(positives).toHaveLength(200);
    let withSplit = 0;
    positives.forEach((p, s) => {
      const split = leaveOneOut(population.shopper(s).events);
      if (!split) {
        expect(p.items).toHaveLength(0);
        return;
      }
      withSplit++;
      expect(Array.from(p.items)).not.toContain(split.heldOut);
      expect(new Set(p.items)).toEqual(new Set(split.train.map((e) => e.item)));
    });
    expect(withSplit).toBeGreaterThan(150);
  });
});
