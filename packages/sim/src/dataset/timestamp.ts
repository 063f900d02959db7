/**
 * Epoch numbers below this are read as seconds, at or above it as
 * milliseconds. 1e11 s is the year 5138 and 1e11 ms is March 1973, so real
 * timestamps of either unit fall on the right side (millisecond stamps from
 * before 1973 would be misread; no shop log has them).
 */
const SECONDS_BELOW = 1e11;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
// 2014-07-23, 2014-07-23T10:00, 2014-07-23 10:00:00.123, … with an optional zone (Z, UTC, +02:00, +0200).
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;

/**
 * A timestamp as milliseconds since the epoch, or undefined if `text` is not
 * one: epoch seconds or milliseconds (integer or decimal; the unit is told by
 * magnitude, see `SECONDS_BELOW`), or an ISO 8601 date or date-time.
 *
 * A date-time without a zone is read as UTC, not local time (which is what
 * `Date.parse` would do): the same file must give the same times on every
 * machine.
 *
 * @example
 * parseTimestamp('881250949');            // 881250949000
 * parseTimestamp('2014-07-23');           // 1406073600000
 * parseTimestamp('2019-10-01 00:00:00 UTC'); // 1569888000000
 */
export function parseTimestamp(text: string): number | undefined {
  const s = text.trim();
  if (NUMBER.test(s)) {
    const value = Number(s);
    if (!Number.isFinite(value)) return undefined;
    return Math.abs(value) < SECONDS_BELOW ? value * 1000 : value;
  }
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((x) => (x === undefined ? undefined : Number(x)));
  if (year === undefined || month === undefined || day === undefined) return undefined;
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) + fraction;
  // Date.UTC rolls over (Feb 30 → Mar 2); a date that rolls over is garbled.
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return ms - zoneOffsetMs(m[8]);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || /^(z|utc|gmt)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}
