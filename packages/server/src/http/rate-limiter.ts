/** A token bucket's size and refill rate. */
export interface RateLimit {
  /** Tokens a fresh source has: requests it may make at once. */
  readonly burst: number;
  /** Tokens added per minute, up to `burst`. */
  readonly perMinute: number;
}

export type RateDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** When the next token will be there. */
      readonly retryAfterMs: number;
      /** True for the first refusal since this source was last allowed: log that one, not every one. */
      readonly firstRefusal: boolean;
    };

interface Bucket {
  tokens: number;
  updatedAt: number;
  refused: boolean;
}

/**
 * Sources whose buckets are kept. Past this, buckets that have refilled
 * (and so equal a fresh one) are dropped, then the oldest: memory stays
 * bounded whatever the number of sources, at the price of forgetting some
 * sources' spending when there are this many at once.
 */
const MAX_SOURCES = 100_000;

/**
 * Token buckets keyed by source (see `sourceKey`): each source may make
 * `burst` requests at once and `perMinute` on average.
 *
 * @example
 * const enrol = new RateLimiter({ burst: 20, perMinute: 60 });
 * const decision = enrol.take('203.0.113.7');
 * if (!decision.allowed) respond429(Math.ceil(decision.retryAfterMs / 1000));
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
    private readonly maxSources = MAX_SOURCES,
  ) {
    this.perMs = limit.perMinute / 60_000;
  }

  /** Spends one of `source`'s tokens if it has one. */
  take(source: string): RateDecision {
    return this.decide(source, true);
  }

  /** Whether `source` has a token, without spending it (e.g. to refuse a locked-out source before checking its key). */
  peek(source: string): RateDecision {
    return this.decide(source, false);
  }

  /** Sources currently tracked (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  private decide(source: string, spend: boolean): RateDecision {
    const now = this.now();
    let bucket = this.buckets.get(source);
    if (bucket === undefined) {
      bucket = { tokens: this.limit.burst, updatedAt: now, refused: false };
      if (spend) {
        this.makeRoom(now);
        this.buckets.set(source, bucket);
      }
    } else {
      bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
      bucket.updatedAt = now;
    }
    if (bucket.tokens >= 1) {
      if (spend) bucket.tokens -= 1;
      bucket.refused = false;
      return { allowed: true };
    }
    const firstRefusal = !bucket.refused;
    bucket.refused = true;
    return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.perMs), firstRefusal };
  }

  private makeRoom(now: number): void {
    if (this.buckets.size < this.maxSources) return;
    for (const [source, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.perMs >= this.limit.burst) this.buckets.delete(source);
    }
    // Still full of spending sources: forget the oldest tenth rather than grow.
    const excess = this.buckets.size - Math.floor(this.maxSources * 0.9);
    if (excess <= 0) return;
    let dropped = 0;
    for (const source of this.buckets.keys()) {
      if (dropped++ >= excess) break;
      this.buckets.delete(source);
    }
  }
}
