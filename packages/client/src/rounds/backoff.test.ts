import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('doubles from the initial delay up to the ceiling, and resets', () => {
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 1_000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('randomises each delay within ±jitter', () => {
    const backoff = new Backoff({ initialDelayMs: 1_000, maxDelayMs: 1_000, jitter: 0.5 });
    expect(backoff.next(() => 0)).toBe(500);
    expect(backoff.next(() => 0.999_999)).toBe(1_500);
    expect(backoff.next(() => 0.5)).toBe(1_000);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new Backoff({ initialDelayMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialDelayMs: 10, maxDelayMs: 5 })).toThrow(RangeError);
    expect(() => new Backoff({ jitter: 2 })).toThrow(RangeError);
  });
});
