import * as z from '../zod.js';

/*
 * State read back from a file or a database (a privacy ledger, a checkpoint's
 * privacy block, a shopper's stored records) may have been edited, truncated
 * or written by another version. It is checked with a schema, like the
 * configuration, and a problem is reported with the path of the first bad
 * field, never with the value found there: stored state can hold a
 * shopper's data, and errors end up in logs.
 */

export type SavedStateErrorCode =
  /** The state is not what its schema allows: unparseable, the wrong format or version, or a bad field (see `path`). */
  'CORRUPT_STATE';

/**
 * Saved state that cannot be resumed. `path` is the dotted path of the first
 * bad field (`entries.0.samplingRate`), empty for the whole value.
 *
 * @example
 * try {
 *   PrivacyLedger.fromJSON(text);
 * } catch (error) {
 *   if (error instanceof SavedStateError) console.error(error.code, error.path); // CORRUPT_STATE entries.0.steps
 * }
 */
export class SavedStateError extends Error {
  override readonly name = 'SavedStateError';

  constructor(
    readonly code: SavedStateErrorCode,
    /** Dotted path of the first bad field; empty for the whole value. */
    readonly path: string,
    /** What is wrong with it, without the value found there. */
    readonly problem: string,
    /** What the state is, for the message: "privacy ledger". */
    readonly what: string,
  ) {
    super(`${what}${path === '' ? '' : ` field ${path}`}: ${problem}`);
  }

  /** The same problem, for a value nested in a larger state at `prefix`. */
  within(prefix: string, what: string): SavedStateError {
    return new SavedStateError(this.code, this.path === '' ? prefix : `${prefix}.${this.path}`, this.problem, what);
  }
}

/**
 * Parses `value` with `schema`, or throws a `SavedStateError` naming the
 * first bad field. Zod's messages name the expected type or bound, not the
 * value received, so nothing stored is echoed into the error.
 */
export function parseSavedState<S extends z.core.$ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  // Any zod 4 schema, classic (the server's) or mini (core's and the client's).
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const path = first === undefined ? '' : first.path.map(String).join('.');
  throw new SavedStateError('CORRUPT_STATE', path, first?.message ?? 'invalid', what);
}

/** `JSON.parse`, or a `SavedStateError` (without the parser's message, which quotes the text). */
export function parseSavedJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SavedStateError('CORRUPT_STATE', '', 'not valid JSON text', what);
  }
}
