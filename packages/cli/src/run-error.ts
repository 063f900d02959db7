/**
 * A run that failed for a reason the user can act on (a full disk, a port in
 * use, an unusable checkpoint): the CLI prints the one-line message, without
 * a stack trace, and exits with code 1. Anything else that escapes a command
 * is a bug and is printed with its stack.
 */
export class RunError extends Error {
  readonly code = 'RUN_FAILED';
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}
