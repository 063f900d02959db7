import { describe, it, expect } from 'vitest';
import { EventLogBuilder } from './event-log-builder.js';

describe('EventLogBuilder and RecordedPopulation', () => {
  it('groups by shopper, sorts by time stably, and indexes densely by first appearance', () => {
    const builder = new EventLogBuilder();
    builder.add('carol', 'i9', 'view', 50);
    builder.add('dave', 'i3', 'cart', 10);
    builder.add('carol', 'i3', 'purchase', 20);
    builder.add('carol', 'i7', 'view', 50);
    builder.add('carol', 'i1', 'view', 20);
    const p = builder.build('test');
    expect(p.numShoppers).toBe(2);
    expect(p.numItems).toBe(4);
    expect([p.shopperId(0), p.shopperId(1)]).toEqual(['carol', 'dave']);
    expect([0, 1, 2, 3].map((i) => p.itemId(i))).toEqual(['i9', 'i3', 'i7', 'i1']);
    expect(p.shopper(0).events).toEqual([
      { item: 1, type: 'purchase', time: 20 },
      { item: 3, type: 'view', time: 20 },
      { item: 0, type: 'view', time: 50 },
      { item: 2, type: 'view', time: 50 },
    ]);
    expect(p.shopper(1)).toEqual({ index: 1, events: [{ item: 1, type: 'cart', time: 10 }] });
    expect(p.eventCount(0)).toBe(4);
  });

  it('grows past its initial capacity and stays deterministic', () => {
    const build = () => {
      const builder = new EventLogBuilder();
      for (let k = 0; k < 20_000; k++) builder.add(`u${(k * 7919) % 101}`, `i${(k * 31) % 997}`, 'view', (k * 104_729) % 10_000);
      return builder.build('big');
    };
    const a = build();
    const b = build();
    expect(a.numEvents).toBe(20_000);
    expect(a.numShoppers).toBe(101);
    for (let s = 0; s < a.numShoppers; s++) {
      const events = a.shopper(s).events;
      expect(events).toEqual(b.shopper(s).events);
      for (let k = 1; k < events.length; k++) expect(events[k]!.time).toBeGreaterThanOrEqual(events[k - 1]!.time);
    }
  });

  it('rejects indices outside the population', () => {
    const builder = new EventLogBuilder();
    builder.add('u', 'i', 'view', 0);
    const p = builder.build('one');
    expect(() => p.shopper(1)).toThrow(RangeError);
    expect(() => p.shopper(-1)).toThrow('expected shopper index in [0, 1), got -1');
    expect(() => p.itemId(1)).toThrow(RangeError);
    expect(p.itemIndex('nope')).toBeUndefined();
  });
});
