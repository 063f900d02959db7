import { SecAggError } from '../secagg-error.js';

/**
 * The `SecAggError` code `run` throws, undefined if it returns, or a
 * description of any other error — so a test can assert the exact failure.
 */
export function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof SecAggError ? error.code : `not a SecAggError: ${String(error)}`;
  }
  return undefined;
}
