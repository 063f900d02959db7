import { describe, expect, it } from 'vitest';
import type { ShoppingEvent } from '../model/shopping-event.js';
import { buildCatalogue } from './catalogue.js';
import { attributeIdf, historyScores } from './history-scores.js';

// Six products: two brands across lips and eyes, one without attributes.
const catalogue = buildCatalogue([
  { id: 'acme-lipstick', attributes: ['brand:acme', 'category:lips'] },
  { id: 'acme-gloss', attributes: ['brand:acme', 'category:lips'] },
  { id: 'acme-mascara', attributes: ['brand:acme', 'category:eyes'] },
  { id: 'zen-mascara', attributes: ['brand:zen', 'category:eyes'] },
  { id: 'zen-liner', attributes: ['brand:zen', 'category:eyes'] },
  { id: 'gift-card', attributes: [] },
]);
const idf = attributeIdf(catalogue);
const at = (id: string) => catalogue.itemIds.indexOf(id);
const event = (id: string, type: ShoppingEvent['type'], time: number): ShoppingEvent => ({ item: at(id), type, time });

describe('historyScores', () => {
  it('ranks an item sharing the attributes of what the shopper did recently above one that does not', () => {
    const scores = historyScores([event('acme-lipstick', 'view', 1)], catalogue, idf);
    expect(scores[at('acme-gloss')]).toBeGreaterThan(scores[at('acme-mascara')]!);
    expect(scores[at('acme-mascara')]).toBeGreaterThan(scores[at('zen-liner')]!);
  });

  it('lets recent events outweigh old ones, and purchases outweigh views', () => {
    // Old interest in zen eyes, recent interest in acme lips.
    const drifting = [event('zen-mascara', 'view', 1), event('zen-liner', 'view', 2), ...['acme-lipstick', 'acme-gloss'].map((id, i) => event(id, 'view', 3 + i))];
    const recent = historyScores(drifting, catalogue, idf, { halfLife: 1 });
    expect(recent[at('acme-mascara')]).toBeGreaterThan(recent[at('zen-mascara')]!);

    const bought = historyScores([event('zen-liner', 'purchase', 1), event('acme-gloss', 'view', 1)], catalogue, idf, { halfLife: 1e9 });
    expect(bought[at('zen-mascara')]).toBeGreaterThan(bought[at('acme-lipstick')]!);
  });

  it('orders by the popularity prior where the history says nothing, and for a shopper with no history', () => {
    const popularity = Float32Array.from([5, 1, 1, 1, 1, 50]);
    const empty = historyScores([], catalogue, idf, { popularity });
    expect(Array.from(empty).indexOf(Math.max(...empty))).toBe(at('gift-card'));
    const withHistory = historyScores([event('zen-liner', 'view', 1)], catalogue, idf, { popularity, popularityWeight: 0.01 });
    expect(withHistory[at('zen-mascara')]).toBeGreaterThan(withHistory[at('gift-card')]!);
  });

  it('gives rare attributes more weight than common ones (idf)', () => {
    expect(idf[catalogue.attributes.indexOf('brand:zen')]).toBeGreaterThan(idf[catalogue.attributes.indexOf('category:eyes')]!);
  });

  it('refuses a popularity of the wrong length and a non-positive half-life', () => {
    expect(() => historyScores([], catalogue, idf, { popularity: new Float32Array(2) })).toThrow(/expected 6 popularity values/);
    expect(() => historyScores([], catalogue, idf, { halfLife: 0 })).toThrow(/halfLife > 0/);
  });
});
