import { describe, it, expect } from 'vitest';
import { SyntheticPopulation } from './synthetic-population.js';

describe('SyntheticPopulation', () => {
  const population = new SyntheticPopulation({ shoppers: 1_000_000, items: 400, seed: 'pop' });

  it('generates the same shopper from the same seed, on demand, for any index', () => {
    const again = new SyntheticPopulation({ shoppers: 1_000_000, items: 400, seed: 'pop' });
    expect(again.shopper(999_999)).toEqual(population.shopper(999_999));
    expect(population.shopper(5)).not.toEqual(population.shopper(6));
    expect(new SyntheticPopulation({ shoppers: 10, items: 400, seed: 'other' }).shopper(5)).not.toEqual(population.shopper(5));
  });

  it('follows the view → cart → purchase funnel, in time order, within the catalogue', () => {
    for (let i = 0; i < 200; i++) {
      const { events } = population.shopper(i);
      expect(events.length).toBeGreaterThan(2);
      const viewed = new Set<number>();
      const carted = new Set<number>();
      events.forEach((e, k) => {
        expect(e.item).toBeGreaterThanOrEqual(0);
        expect(e.item).toBeLessThan(400);
        if (k > 0) expect(e.time).toBeGreaterThan(events[k - 1]!.time);
        if (e.type === 'view') viewed.add(e.item);
        if (e.type === 'cart') {
          expect(viewed.has(e.item)).toBe(true);
          carted.add(e.item);
        }
        if (e.type === 'purchase') expect(carted.has(e.item)).toBe(true);
      });
    }
  });

  it('has a long tail: the top 10% of items draw far more events than the bottom half', () => {
    const counts = new Float64Array(400);
    for (let i = 0; i < 3000; i++) for (const e of population.shopper(i).events) counts[e.item]!++;
    const sorted = Array.from(counts).sort((a, b) => b - a);
    const top = sorted.slice(0, 40).reduce((a, b) => a + b, 0);
    const bottom = sorted.slice(200).reduce((a, b) => a + b, 0);
    expect(top).toBeGreaterThan(2 * bottom);
  });

  it('gives shoppers concentrated tastes: most of a history falls in few categories', () => {
    let concentrated = 0;
    for (let i = 0; i < 300; i++) {
      const perCategory = new Map<number, number>();
      const { events } = population.shopper(i);
      for (const e of events) {
        const category = population.itemCategories[e.item]!;
        perCategory.set(category, (perCategory.get(category) ?? 0) + 1);
      }
      const top3 = [...perCategory.values()].sort((a, b) => b - a).slice(0, 3).reduce((a, b) => a + b, 0);
      if (top3 / events.length > 0.6) concentrated++;
    }
    expect(concentrated / 300).toBeGreaterThan(0.7);
  });

  it('does not hold shoppers in memory', () => {
    // One million shoppers cost nothing until asked for: the object holds the catalogue only.
    expect(population.numShoppers).toBe(1_000_000);
    expect(() => population.shopper(1_000_000)).toThrow(RangeError);
    expect(() => new SyntheticPopulation({ shoppers: 0, items: 400, seed: 1 })).toThrow(RangeError);
  });
});
