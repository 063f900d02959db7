/**
 * Why a dataset could not be loaded. The set is closed and each value is
 * stable: callers (the CLI, scripts) switch on it, so codes are only ever
 * added, never renamed.
 *
 * - `NOT_FOUND`: no file at the path;
 * - `UNREADABLE`: the path exists but cannot be read as a file (a directory, no permission);
 * - `PARSE`: a line is garbled (the error names the file, the 1-based line and what was expected);
 * - `EMPTY`: the file holds no events;
 * - `MISMATCH`: a timestamps file does not line up with its sequence file;
 * - `BAD_SPEC`: a `kind:path` dataset spec could not be understood.
 */
export type DatasetErrorCode = 'NOT_FOUND' | 'UNREADABLE' | 'PARSE' | 'EMPTY' | 'MISMATCH' | 'BAD_SPEC';

/**
 * A dataset that could not be loaded. The message starts with `path:line:`
 * where both are known, like a compiler's, so an editor can jump there.
 *
 * @example
 * try {
 *   await loadDataset({ kind: 'ml-100k', path: 'u.data' });
 * } catch (e) {
 *   if (e instanceof DatasetError && e.code === 'PARSE') console.error(`fix line ${e.line} of ${e.path}`);
 * }
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';

  constructor(
    readonly code: DatasetErrorCode,
    message: string,
    /** The file at fault, where there is one. */
    readonly path?: string,
    /** 1-based line number in `path`, where the fault is on one line. */
    readonly line?: number,
  ) {
    super(path === undefined ? message : `${path}${line === undefined ? '' : `:${line}`}: ${message}`);
  }
}

/** A garbled line: `expected` says what should have been there. */
export function parseError(path: string, line: number, expected: string, got?: string): DatasetError {
  return new DatasetError('PARSE', got === undefined ? `expected ${expected}` : `expected ${expected}, got ${quote(got)}`, path, line);
}

/**
 * Quote a token from the file for a message, shortened: a garbled line can be
 * arbitrarily long (a binary file read by mistake), the message should not be.
 */
export function quote(token: string): string {
  const max = 40;
  return JSON.stringify(token.length > max ? `${token.slice(0, max)}…` : token);
}
