import { basename } from 'node:path';
import { DatasetError, parseError } from './dataset-error.js';
import { EventLogBuilder } from './event-log-builder.js';
import { readLines } from './read-lines.js';
import type { RecordedPopulation } from './recorded-population.js';

const POSITIVE_INTEGER = /^[1-9]\d*$/;
const NON_NEGATIVE_INTEGER = /^\d+$/;

/**
 * MovieLens 100K ratings (`u.data`): one rating a line, `user item rating
 * timestamp`, tab-separated, 1-based ids, epoch seconds.
 *
 * Every rating becomes a `view`: as in NCF and most implicit-feedback work,
 * having rated a movie is the signal, and its value (1–5) is not used. The
 * rating is still checked, so a shifted or truncated line is caught rather
 * than read as a stray timestamp.
 *
 * @example
 * const movies = await loadMovieLens100k('ml-100k/u.data');
 * movies.numShoppers; // 943
 */
export async function loadMovieLens100k(path: string): Promise<RecordedPopulation> {
  const builder = new EventLogBuilder();
  let line = 0;
  for await (const text of readLines(path)) {
    line++;
    if (text.trim() === '') continue;
    const fields = text.trim().split(/\s+/);
    if (fields.length !== 4) throw parseError(path, line, `4 tab-separated fields (user item rating timestamp), got ${fields.length}`);
    const [user, item, rating, timestamp] = fields as [string, string, string, string];
    if (!POSITIVE_INTEGER.test(user)) throw parseError(path, line, 'a user id (a positive integer)', user);
    if (!POSITIVE_INTEGER.test(item)) throw parseError(path, line, 'an item id (a positive integer)', item);
    if (!Number.isFinite(Number(rating)) || rating === '') throw parseError(path, line, 'a rating (a number)', rating);
    if (!NON_NEGATIVE_INTEGER.test(timestamp)) throw parseError(path, line, 'a timestamp (epoch seconds)', timestamp);
    builder.add(user, item, 'view', Number(timestamp) * 1000);
  }
  if (builder.size === 0) throw new DatasetError('EMPTY', 'no ratings in the file', path);
  return builder.build(`ml-100k:${basename(path)}`, { kind: 'ml-100k', path });
}
