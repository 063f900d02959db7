export interface BackoffOptions {
  /** First delay. Default 500 ms. */
  readonly initialDelayMs?: number;
  /** Ceiling. Default 30 s. */
  readonly maxDelayMs?: number;
  /** Each delay is randomised by ±jitter (0..1), so a fleet of clients does not reconnect in lockstep. Default 0.5. */
  readonly jitter?: number;
}

/** Exponential backoff with jitter: initial, 2×, 4×, … up to the ceiling. */
export class Backoff {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: number;
  private attempts = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialDelayMs = options.initialDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.jitter = options.jitter ?? 0.5;
    if (!(this.initialDelayMs > 0) || !(this.maxDelayMs >= this.initialDelayMs)) {
      throw new RangeError(`expected 0 < initialDelayMs <= maxDelayMs, got ${this.initialDelayMs} and ${this.maxDelayMs}`);
    }
    if (!(this.jitter >= 0 && this.jitter <= 1)) throw new RangeError(`expected jitter in [0, 1], got ${this.jitter}`);
  }

  /** The next delay; `random` is uniform on [0, 1) (jitter needs no cryptographic source). */
  next(random: () => number = Math.random): number {
    const base = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    return Math.max(0, Math.round(base * (1 + this.jitter * (2 * random() - 1))));
  }

  reset(): void {
    this.attempts = 0;
  }
}
