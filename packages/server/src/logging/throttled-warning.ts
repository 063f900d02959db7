import type { Logger } from 'pino';

/**
 * A warning that anyone on the network can trigger (a malformed request, a
 * refused connection): logged at warn at most once per `intervalMs`, with the
 * number of occurrences since, and at debug otherwise, so that a flood of
 * them cannot flood the log.
 *
 * @example
 * const malformed = new ThrottledWarning(logger, 'malformed HTTP request refused');
 * malformed.warn({ code: 'HPE_INVALID_METHOD', source });
 */
export class ThrottledWarning {
  private lastWarnedAt = Number.NEGATIVE_INFINITY;
  private since = 0;

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
    private readonly intervalMs = 10_000,
  ) {}

  warn(fields: Record<string, unknown>): void {
    const now = performance.now();
    this.since++;
    if (now - this.lastWarnedAt < this.intervalMs) {
      this.logger.debug(fields, this.message);
      return;
    }
    this.logger.warn({ ...fields, occurrences: this.since }, this.message);
    this.lastWarnedAt = now;
    this.since = 0;
  }
}
