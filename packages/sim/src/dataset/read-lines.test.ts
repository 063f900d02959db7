import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLines } from './read-lines.js';
import { DatasetError } from './dataset-error.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-read-lines-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(path)) out.push(line);
  return out;
}

describe('readLines', () => {
  it('streams lines without terminators or a byte-order mark', async () => {
    const path = join(dir, 'crlf.txt');
    await writeFile(path, '\uFEFFa b\r\nc\r\n\r\nd');
    expect(await collect(path)).toEqual(['a b', 'c', '', 'd']);
  });

  it('reads a file larger than its stream chunks', async () => {
    const path = join(dir, 'big.txt');
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
    await writeFile(path, lines.join('\n') + '\n');
    expect(await collect(path)).toEqual(lines);
  });

  it('names a missing file and a directory', async () => {
    const missing = join(dir, 'nope.txt');
    await expect(collect(missing)).rejects.toMatchObject({ name: 'DatasetError', code: 'NOT_FOUND', path: missing });
    await expect(collect(missing)).rejects.toThrow(missing);
    await expect(collect(dir)).rejects.toBeInstanceOf(DatasetError);
    await expect(collect(dir)).rejects.toMatchObject({ code: 'UNREADABLE', path: dir });
  });

  it('stops cleanly when the reader stops early', async () => {
    const path = join(dir, 'early.txt');
    await writeFile(path, 'a\nb\nc\n');
    const lines = readLines(path);
    expect(await lines.next()).toEqual({ done: false, value: 'a' });
    await lines.return();
    expect(await lines.next()).toEqual({ done: true, value: undefined });
  });
});
