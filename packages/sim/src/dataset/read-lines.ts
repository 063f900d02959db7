import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DatasetError } from './dataset-error.js';

/**
 * The lines of a text file, streamed (a file stream under `readline`), so a
 * file far larger than one JavaScript string can be read. Lines come without
 * their terminator (`\n` or `\r\n`) and without a leading byte-order mark.
 *
 * The file is opened when the first line is asked for, and closed when the
 * lines run out or the caller stops early (`break`, a throw, `return()`); a
 * generator never started holds no file. A missing or unreadable file fails
 * with a `DatasetError` naming it (`NOT_FOUND`, `UNREADABLE`) rather than
 * with a stream error from deep inside `readline`.
 *
 * @example
 * for await (const line of readLines('u.data')) console.log(line);
 */
export async function* readLines(path: string): AsyncGenerator<string, void, undefined> {
  const handle = await openFile(path);
  const reader = createInterface({ input: handle.createReadStream({ encoding: 'utf8', autoClose: false }), crlfDelay: Infinity });
  let first = true;
  try {
    for await (const line of reader) {
      if (first) {
        first = false;
        yield line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
      } else {
        yield line;
      }
    }
  } finally {
    reader.close();
    await handle.close();
  }
}

async function openFile(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    const code = errorCode(e);
    if (code === 'ENOENT') throw new DatasetError('NOT_FOUND', 'no such file', path);
    throw new DatasetError('UNREADABLE', `cannot open (${code ?? 'unknown error'})`, path);
  }
  let problem: DatasetError | undefined;
  try {
    if (!(await handle.stat()).isFile()) problem = new DatasetError('UNREADABLE', 'expected a file, found a directory or device', path);
  } catch (e) {
    problem = new DatasetError('UNREADABLE', `cannot read (${errorCode(e) ?? 'unknown error'})`, path);
  }
  if (problem) {
    await handle.close();
    throw problem;
  }
  return handle;
}

function errorCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') return e.code;
  return undefined;
}
