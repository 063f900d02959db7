import { describe, it, expect } from 'vitest';
import { parseTimestamp } from './timestamp.js';
import { parseEventName } from './event-name.js';

describe('parseTimestamp', () => {
  it('reads epoch seconds and milliseconds by magnitude', () => {
    expect(parseTimestamp('881250949')).toBe(881_250_949_000);
    expect(parseTimestamp('1318896000.5')).toBe(1_318_896_000_500);
    expect(parseTimestamp('1433221332117')).toBe(1_433_221_332_117);
    // Small ordinals (toy files) are seconds: order is what matters.
    expect(parseTimestamp('3')).toBe(3000);
  });

  it('reads ISO dates as UTC whatever the machine zone', () => {
    expect(parseTimestamp('2014-07-23')).toBe(Date.UTC(2014, 6, 23));
    expect(parseTimestamp('2014-07-23T10:00:00')).toBe(Date.UTC(2014, 6, 23, 10));
    expect(parseTimestamp('2014-07-23 10:00')).toBe(Date.UTC(2014, 6, 23, 10));
    expect(parseTimestamp('2014-07-23T10:00:00.250Z')).toBe(Date.UTC(2014, 6, 23, 10, 0, 0, 250));
    expect(parseTimestamp('2019-10-01 00:00:00 UTC')).toBe(Date.UTC(2019, 9, 1));
    expect(parseTimestamp('2014-07-23T10:00:00+02:00')).toBe(Date.UTC(2014, 6, 23, 8));
    expect(parseTimestamp('2014-07-23T10:00:00-0130')).toBe(Date.UTC(2014, 6, 23, 11, 30));
  });

  it('rejects what is not a timestamp', () => {
    for (const bad of ['', 'abc', '12abc', '2014-02-30', '2014-13-01', '2014-07-23T25:00', '23/07/2014', 'NaN', 'Infinity', '1e400']) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
  });
});

describe('parseEventName', () => {
  it('maps names and synonyms onto the funnel', () => {
    expect(parseEventName('view')).toBe('view');
    expect(parseEventName('')).toBe('view');
    expect(parseEventName('Click')).toBe('view');
    expect(parseEventName('add_to_cart')).toBe('cart');
    expect(parseEventName('addtocart')).toBe('cart');
    expect(parseEventName('buy')).toBe('purchase');
    expect(parseEventName('transaction')).toBe('purchase');
    expect(parseEventName('remove_from_cart')).toBe('ignore');
    expect(parseEventName('teleport')).toBeUndefined();
  });
});
