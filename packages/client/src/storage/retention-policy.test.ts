import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ShoppingEvent } from '@fedrec/core';
import { applyRetention, resolveRetention, retentionCutoff } from './retention-policy.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

const eventArb = fc.record({
  item: fc.nat({ max: 50 }),
  type: fc.constantFrom('view' as const, 'cart' as const, 'purchase' as const),
  time: fc.integer({ min: NOW - 30 * DAY, max: NOW }),
});

describe('retention policy', () => {
  it('keeps at most maxEvents, none older than maxAgeDays, in their original order, and is idempotent', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), (events, maxEvents, maxAgeDays) => {
        const policy = resolveRetention({ maxEvents, maxAgeDays });
        const kept = applyRetention(events, policy, NOW);
        expect(kept.length).toBeLessThanOrEqual(maxEvents);
        expect(kept.every((e) => e.time >= NOW - maxAgeDays * DAY)).toBe(true);
        // A suffix of the young events, in order: nothing young is dropped while there is room.
        const young = events.filter((e) => e.time >= retentionCutoff(policy, NOW));
        expect(kept).toEqual(young.slice(Math.max(0, young.length - maxEvents)));
        expect(applyRetention(kept, policy, NOW)).toEqual(kept);
      }),
    );
  });

  it('an event exactly at the age limit is kept; one millisecond older is not', () => {
    const policy = resolveRetention({ maxAgeDays: 2 });
    const events: ShoppingEvent[] = [
      { item: 1, type: 'view', time: NOW - 2 * DAY - 1 },
      { item: 2, type: 'view', time: NOW - 2 * DAY },
    ];
    expect(applyRetention(events, policy, NOW).map((e) => e.item)).toEqual([2]);
  });

  it('rejects bounds that are not positive', () => {
    expect(() => resolveRetention({ maxEvents: 0 })).toThrow(RangeError);
    expect(() => resolveRetention({ maxEvents: 2.5 })).toThrow(/maxEvents to be a positive integer, got 2.5/);
    expect(() => resolveRetention({ maxAgeDays: -1 })).toThrow(/maxAgeDays to be finite and > 0, got -1/);
    expect(() => resolveRetention({ maxAgeDays: Infinity })).toThrow(RangeError);
    expect(resolveRetention()).toEqual({ maxEvents: 1000, maxAgeDays: 90 });
  });
});
