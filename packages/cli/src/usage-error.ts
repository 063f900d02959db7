/**
 * A mistake in the command line: the CLI prints the message and exits with
 * code 2, the convention for "bad usage" that scripts can tell apart from a
 * failed run (1).
 */
export class UsageError extends Error {
  readonly code = 'USAGE';
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
