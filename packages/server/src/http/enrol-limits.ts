import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { HttpConfig } from '../config/server-config.js';
import type { ServerStats } from '../status/server-stats.js';
import { RateLimiter } from './rate-limiter.js';
import { sourceKey } from './source-address.js';

/** Why `POST /enrol` answers 429, and when to come back. */
export interface EnrolRefusal {
  /** `RATE_LIMITED`: too many enrolments from this source; `LOCKED_OUT`: too many wrong enrolment keys. */
  readonly code: 'RATE_LIMITED' | 'LOCKED_OUT';
  readonly message: string;
  /** For the `Retry-After` header. */
  readonly retryAfterSeconds: number;
}

/**
 * Per-source limits on `POST /enrol`: a token bucket for every request, and
 * a stricter one spent only by wrong enrolment keys, so that guessing the key
 * locks the source out after a handful of tries while honest devices behind
 * the same address can still enrol at the ordinary rate.
 *
 * @example
 * const refusal = limits.admit(req);
 * if (refusal) return send429(refusal);
 * if (!keyMatches(...)) { limits.keyFailed(req); return send401(); }
 */
export class EnrolLimits {
  private readonly requests: RateLimiter | null;
  private readonly keyFailures: RateLimiter | null;

  constructor(
    private readonly http: HttpConfig,
    private readonly logger: Logger,
    private readonly stats: ServerStats,
    now?: () => number,
  ) {
    const { enrol, enrolKeyFailures } = http.rateLimits;
    this.requests = enrol === false ? null : new RateLimiter(enrol, now);
    this.keyFailures = enrolKeyFailures === false ? null : new RateLimiter(enrolKeyFailures, now);
  }

  /** Null if the request may be answered; else why it gets 429. Spends one of the source's enrolment tokens. */
  admit(req: IncomingMessage): EnrolRefusal | null {
    const source = sourceKey(req, this.http.trustProxy);
    // Locked out first: a locked-out source's requests should not also drain its enrolment bucket.
    const locked = this.keyFailures?.peek(source);
    if (locked !== undefined && !locked.allowed) {
      this.stats.throttled.enrolKeyLockedOut++;
      if (locked.firstRefusal) this.logger.warn({ source, retryAfterMs: locked.retryAfterMs }, 'enrolment locked out for this source after too many wrong enrolment keys');
      return { code: 'LOCKED_OUT', message: 'too many wrong enrolment keys from this address: try again later', retryAfterSeconds: seconds(locked.retryAfterMs) };
    }
    const decision = this.requests?.take(source);
    if (decision !== undefined && !decision.allowed) {
      this.stats.throttled.enrol++;
      if (decision.firstRefusal) this.logger.warn({ source, retryAfterMs: decision.retryAfterMs }, 'enrolment rate limit reached for this source');
      return { code: 'RATE_LIMITED', message: 'too many enrolments from this address: try again later', retryAfterSeconds: seconds(decision.retryAfterMs) };
    }
    return null;
  }

  /** Counts a wrong enrolment key against the request's source. */
  keyFailed(req: IncomingMessage): void {
    this.keyFailures?.take(sourceKey(req, this.http.trustProxy));
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
