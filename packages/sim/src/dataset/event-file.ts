import { basename } from 'node:path';
import { DatasetError, parseError } from './dataset-error.js';
import { detectDelimiter, splitFields } from './delimited-line.js';
import type { Delimiter } from './delimited-line.js';
import { EVENT_NAME_HINT, parseEventName } from './event-name.js';
import { EventLogBuilder } from './event-log-builder.js';
import { readLines } from './read-lines.js';
import type { RecordedPopulation } from './recorded-population.js';
import { parseTimestamp } from './timestamp.js';

/** Header names of each column, normalised (lower case, letters and digits only). */
const COLUMN_NAMES = {
  user: ['user', 'userid', 'users', 'uid', 'visitor', 'visitorid', 'customer', 'customerid', 'client', 'clientid', 'shopper', 'shopperid', 'reviewerid'],
  item: ['item', 'itemid', 'items', 'iid', 'product', 'productid', 'sku', 'asin', 'article', 'articleid', 'movie', 'movieid'],
  time: ['timestamp', 'time', 'ts', 'date', 'datetime', 'eventtime', 'unixtime', 'unixreviewtime', 'created', 'createdat'],
  event: ['event', 'events', 'eventtype', 'type', 'action', 'behavior', 'behaviour', 'behaviortype', 'interaction', 'eventname'],
} as const;

type Column = keyof typeof COLUMN_NAMES;

/** Where each column is: positional (`user item timestamp [event]`) or found by header names. */
interface Layout {
  readonly user: number;
  readonly item: number;
  readonly time: number;
  /** −1: no event column (every event is a view). */
  readonly event: number;
  /** Positional files have 3 or 4 fields; named ones any number (extra columns are ignored). */
  readonly positional: boolean;
}

const POSITIONAL: Layout = { user: 0, item: 1, time: 2, event: 3, positional: true };
const FORMAT = 'user item timestamp [event]';

/**
 * A generic interaction log: one event a line, `user item timestamp
 * [event]`, as TSV or CSV (the delimiter is detected from the first line:
 * tab, comma, semicolon, else whitespace).
 *
 * - Header: optional. The first line is a header when a field is a known
 *   column name or its third field is not a timestamp. When the header
 *   names the user, item and time columns (e.g. RetailRocket's
 *   `timestamp,visitorid,event,itemid,transactionid`), columns are taken by
 *   name in any order and extra columns are ignored; otherwise by position.
 * - Event: optional column, `view|cart|purchase` or a synonym (`click`,
 *   `add_to_cart`/`addtocart`, `buy`/`transaction`, …; see `parseEventName`);
 *   empty or absent means `view`; `remove_from_cart` lines are skipped.
 * - Timestamp: epoch seconds or milliseconds, or an ISO 8601 date(-time) (see `parseTimestamp`).
 *
 * @example
 * // visitor,product,time,event
 * // 17,B001,2024-03-01T10:00:00Z,click
 * const log = await loadEventFile('events.csv');
 */
export async function loadEventFile(path: string): Promise<RecordedPopulation> {
  const builder = new EventLogBuilder();
  let line = 0;
  let delimiter: Delimiter | undefined;
  let layout: Layout = POSITIONAL;
  for await (const text of readLines(path)) {
    line++;
    if (text.trim() === '') continue;
    let firstLine = false;
    if (delimiter === undefined) {
      delimiter = detectDelimiter(text);
      firstLine = true;
    }
    const fields = splitFields(text, delimiter);
    if (fields === undefined) throw parseError(path, line, 'a closing double quote');
    if (firstLine) {
      const header = headerLayout(fields);
      if (header === 'unusable') throw parseError(path, line, `a header naming the user, item and time columns, or ${FORMAT}`, text);
      if (header !== undefined) {
        layout = header;
        continue;
      }
    }
    readEvent(builder, fields, layout, path, line);
  }
  if (builder.size === 0) throw new DatasetError('EMPTY', 'no events in the file', path);
  return builder.build(`tsv:${basename(path)}`, { kind: 'tsv', path });
}

function readEvent(builder: EventLogBuilder, fields: readonly string[], layout: Layout, path: string, line: number): void {
  if (layout.positional ? fields.length < 3 || fields.length > 4 : fields.length <= Math.max(layout.user, layout.item, layout.time, layout.event)) {
    const wanted = layout.positional ? `3 or 4 fields (${FORMAT})` : `at least ${Math.max(layout.user, layout.item, layout.time, layout.event) + 1} fields, as in the header`;
    throw parseError(path, line, `${wanted}, got ${fields.length}`);
  }
  const user = fields[layout.user]!;
  const item = fields[layout.item]!;
  if (user === '') throw parseError(path, line, 'a user id, got an empty field');
  if (item === '') throw parseError(path, line, 'an item id, got an empty field');
  const rawTime = fields[layout.time]!;
  const time = parseTimestamp(rawTime);
  if (time === undefined) throw parseError(path, line, 'a timestamp (epoch seconds or milliseconds, or an ISO 8601 date)', rawTime);
  const rawEvent = layout.event >= 0 ? (fields[layout.event] ?? '') : '';
  const type = parseEventName(rawEvent);
  if (type === undefined) throw parseError(path, line, EVENT_NAME_HINT, rawEvent);
  if (type === 'ignore') return;
  builder.add(user, item, type, time);
}

/**
 * The layout a header line gives, or undefined if `fields` is data. A line
 * is a header when a field is a known column name, or when its third field
 * is not a timestamp (ids can be anything, so only the time column can tell
 * data from names). `'unusable'`: a header, but neither by name nor by
 * position does it say where the columns are.
 */
function headerLayout(fields: readonly string[]): Layout | 'unusable' | undefined {
  const normalised = fields.map((f) => f.toLowerCase().replace(/[^a-z0-9]/g, ''));
  const find = (column: Column): number => normalised.findIndex((name) => (COLUMN_NAMES[column] as readonly string[]).includes(name));
  const named = { user: find('user'), item: find('item'), time: find('time'), event: find('event') };
  const anyNamed = Object.values(named).some((i) => i >= 0);
  const thirdIsTime = fields.length >= 3 && parseTimestamp(fields[2]!) !== undefined;
  if (!anyNamed && thirdIsTime) return undefined;
  if (named.user >= 0 && named.item >= 0 && named.time >= 0) return { ...named, positional: false };
  // Some names but not all three: positional if the shape fits, else the header cannot be used.
  return fields.length === 3 || fields.length === 4 ? POSITIONAL : 'unusable';
}
