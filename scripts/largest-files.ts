/**
 * The largest source files of the packages (tests and test support apart), at
 * the working tree or at any commit, to see whether a file holds too much:
 *
 *   npm run -s size:files                          # the 15 largest now
 *   npm run -s size:files -- --before 8b7c333      # … beside their size at 8b7c333
 *   npm run -s size:files -- --top 25 --json
 *
 * Files are matched across commits by path; a file that moved or was split
 * shows as absent on one side.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const SOURCE = /^packages\/[^/]+\/src\/.*\.tsx?$/;
const NOT_SOURCE = /\.test\.tsx?$|\/test-support\//;

function git(args: readonly string[]): string {
  return execFileSync('git', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function lineCount(text: string): number {
  return text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** Line counts of the packages' source files at `rev`, or in the working tree (tracked and untracked, not ignored) without one. */
export function sourceLineCounts(rev?: string): Map<string, number> {
  const paths = (rev === undefined ? git(['ls-files', '--cached', '--others', '--exclude-standard']) : git(['ls-tree', '-r', '--name-only', rev]))
    .split('\n')
    .filter((path) => SOURCE.test(path) && !NOT_SOURCE.test(path));
  const counts = new Map<string, number>();
  for (const path of paths) {
    try {
      counts.set(path, lineCount(rev === undefined ? readFileSync(path, 'utf8') : git(['show', `${rev}:${path}`])));
    } catch {
      // Listed but deleted in the working tree: not there now.
    }
  }
  return counts;
}

function main(): void {
  const { values } = parseArgs({ options: { before: { type: 'string' }, top: { type: 'string', default: '15' }, json: { type: 'boolean', default: false } } });
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new Error(`--top must be a positive integer, got '${values.top}'`);
  const now = sourceLineCounts();
  const before = values.before === undefined ? undefined : sourceLineCounts(values.before);
  const largestNow = [...now].sort((a, b) => b[1] - a[1]).slice(0, top);
  const largestBefore = before === undefined ? [] : [...before].sort((a, b) => b[1] - a[1]).slice(0, top);
  const rows = [...new Set([...largestBefore.map(([p]) => p), ...largestNow.map(([p]) => p)])]
    .map((path) => ({ path, before: before?.get(path) ?? null, now: now.get(path) ?? null }))
    .sort((a, b) => Math.max(b.before ?? 0, b.now ?? 0) - Math.max(a.before ?? 0, a.now ?? 0));
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, n) => sum + n, 0);
  const summary = {
    files: now.size,
    lines: total(now),
    largest: largestNow[0]?.[1] ?? 0,
    ...(before === undefined ? {} : { before: { rev: values.before, files: before.size, lines: total(before), largest: largestBefore[0]?.[1] ?? 0 } }),
  };
  if (values.json) {
    console.log(JSON.stringify({ rows, summary }));
    return;
  }
  const show = (n: number | null) => (n === null ? '—' : String(n)).padStart(7);
  console.log(`${before === undefined ? '' : `${'before'.padStart(7)} `}${'now'.padStart(7)}  file`);
  for (const row of rows) console.log(`${before === undefined ? '' : `${show(row.before)} `}${show(row.now)}  ${row.path}`);
  console.log(JSON.stringify(summary));
}

main();
