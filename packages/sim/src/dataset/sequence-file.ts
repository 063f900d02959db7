import { basename } from 'node:path';
import { DatasetError, parseError, quote } from './dataset-error.js';
import { EventLogBuilder } from './event-log-builder.js';
import { readLines } from './read-lines.js';
import type { RecordedPopulation } from './recorded-population.js';
import { parseTimestamp } from './timestamp.js';

/**
 * A sequence file: one shopper a line, `user item item …`, whitespace
 * separated, oldest item first — the form of the Amazon 5-core sets used by
 * S3-Rec, ICLRec and TiCoSeRec (`Beauty.txt`).
 *
 * With `timestampsPath`, a parallel file gives each item's time: the same
 * lines, `user t1 t2 …`, t_k the time of the k-th item (epoch seconds or
 * milliseconds, or ISO dates). Both files are streamed in step; a line whose
 * user or length differs, or one file ending before the other, is a
 * `MISMATCH`. Without it, events are numbered in file order (0, 1, 2, …) and
 * the times say only that order.
 *
 * Every item becomes a `view` (a review or a rating says the shopper
 * engaged, not how far down the funnel they went). A user may appear on
 * several lines; their events are merged. A line with a user and no items
 * adds nothing.
 *
 * @example
 * const beauty = await loadSequenceFile('Beauty.txt', 'Beauty_time_org_rank.txt');
 */
export async function loadSequenceFile(path: string, timestampsPath?: string): Promise<RecordedPopulation> {
  const builder = new EventLogBuilder();
  const times = timestampsPath === undefined ? undefined : readLines(timestampsPath);
  let ordinal = 0;
  let line = 0;
  try {
    for await (const text of readLines(path)) {
      line++;
      const fields = splitLine(text);
      let stamps: number[] | undefined;
      if (times !== undefined && timestampsPath !== undefined) {
        const next = await times.next();
        if (next.done === true) throw new DatasetError('MISMATCH', `${path} has more lines than the timestamps file (${line - 1})`, timestampsPath, line);
        stamps = parseTimes(splitLine(next.value), fields, { path, timestampsPath, line });
      }
      if (fields.length === 0) continue;
      const user = fields[0]!;
      for (let k = 1; k < fields.length; k++) builder.add(user, fields[k]!, 'view', stamps === undefined ? ordinal++ : stamps[k - 1]!);
    }
    if (times !== undefined && timestampsPath !== undefined) {
      const extra = await times.next();
      if (extra.done !== true) throw new DatasetError('MISMATCH', `the timestamps file has more lines than ${path} (${line})`, timestampsPath, line + 1);
    }
  } finally {
    await times?.return();
  }
  if (builder.size === 0) throw new DatasetError('EMPTY', 'no items on any line', path);
  return builder.build(`seq:${basename(path)}`, timestampsPath === undefined ? { kind: 'seq', path } : { kind: 'seq', path, timestampsPath });
}

function splitLine(text: string): string[] {
  const trimmed = text.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

/** The times of one timestamps line, checked against its sequence line. */
function parseTimes(stamps: readonly string[], fields: readonly string[], where: { path: string; timestampsPath: string; line: number }): number[] {
  const { path, timestampsPath, line } = where;
  if (stamps.length === 0 && fields.length === 0) return [];
  if (stamps[0] !== fields[0]) {
    const expected = fields.length === 0 ? 'an empty line, as in the sequence file' : `user ${quote(fields[0]!)} as on line ${line} of ${path}`;
    throw new DatasetError('MISMATCH', `expected ${expected}, got ${stamps.length === 0 ? 'an empty line' : `user ${quote(stamps[0]!)}`}`, timestampsPath, line);
  }
  if (stamps.length !== fields.length) {
    throw new DatasetError('MISMATCH', `expected ${fields.length - 1} timestamps, one per item on line ${line} of ${path}, got ${stamps.length - 1}`, timestampsPath, line);
  }
  const out = new Array<number>(stamps.length - 1);
  for (let k = 1; k < stamps.length; k++) {
    const t = parseTimestamp(stamps[k]!);
    if (t === undefined) throw parseError(timestampsPath, line, `a timestamp (epoch seconds or milliseconds, or an ISO 8601 date) for item ${k}`, stamps[k]!);
    out[k - 1] = t;
  }
  return out;
}
