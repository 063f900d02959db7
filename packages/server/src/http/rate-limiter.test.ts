import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('RateLimiter', () => {
  it('allows a burst, then refuses until a token has refilled, saying when', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ burst: 3, perMinute: 6 }, clock.now); // one token per 10 s
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 10_000, firstRefusal: true });
    clock.advance(4_000);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 6_000, firstRefusal: false });
    clock.advance(6_000);
    expect(limiter.take('a').allowed).toBe(true);
    // Refilling never goes past the burst.
    clock.advance(3_600_000);
    expect([1, 2, 3, 4].map(() => limiter.take('a').allowed)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per source', () => {
    const limiter = new RateLimiter({ burst: 1, perMinute: 1 }, manualClock().now);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('peek() does not spend, and does not remember unknown sources', () => {
    const limiter = new RateLimiter({ burst: 1, perMinute: 1 }, manualClock().now);
    expect(limiter.peek('a').allowed).toBe(true);
    expect(limiter.size).toBe(0);
    limiter.take('a');
    expect(limiter.peek('a').allowed).toBe(false);
  });

  it('stays within its source cap, forgetting refilled buckets first', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ burst: 2, perMinute: 60 }, clock.now, 10);
    for (let i = 0; i < 10; i++) limiter.take(`old-${i}`);
    clock.advance(1_000); // every old bucket has refilled
    limiter.take('spender');
    limiter.take('spender');
    for (let i = 0; i < 100; i++) limiter.take(`new-${i}`);
    expect(limiter.size).toBeLessThanOrEqual(10);
  });
});
