import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatasetSpec } from './dataset-spec.js';
import { loadDataset } from './load-dataset.js';
import type { DatasetSpec } from './dataset-spec.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-spec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseDatasetSpec', () => {
  it('parses the CLI forms', () => {
    expect(parseDatasetSpec('ml-100k:data/u.data')).toEqual({ kind: 'ml-100k', path: 'data/u.data' });
    expect(parseDatasetSpec('tsv:/tmp/log.tsv')).toEqual({ kind: 'tsv', path: '/tmp/log.tsv' });
    expect(parseDatasetSpec('csv:C:\\data\\log.csv')).toEqual({ kind: 'tsv', path: 'C:\\data\\log.csv' });
    expect(parseDatasetSpec('seq:Beauty.txt')).toEqual({ kind: 'seq', path: 'Beauty.txt' });
    expect(parseDatasetSpec('seq:Beauty.txt,Beauty_time.txt')).toEqual({ kind: 'seq', path: 'Beauty.txt', timestampsPath: 'Beauty_time.txt' });
  });

  it('rejects malformed specs with BAD_SPEC', () => {
    for (const bad of ['u.data', 'ml-100k:', 'parquet:x.parquet', 'seq:a.txt,', 'seq:,t.txt']) {
      expect(() => parseDatasetSpec(bad), bad).toThrow(expect.objectContaining({ name: 'DatasetError', code: 'BAD_SPEC' }));
    }
    expect(() => parseDatasetSpec('parquet:x')).toThrow("expected a kind of ml-100k, tsv, seq, csv, got \"parquet\"");
  });
});

describe('loadDataset', () => {
  it('dispatches on the kind', async () => {
    const ml = join(dir, 'u.data');
    await writeFile(ml, '1\t10\t4\t881250949\n2\t10\t4\t881250950\n');
    const seq = join(dir, 'seq.txt');
    await writeFile(seq, '1 10 11\n');
    const tsv = join(dir, 'log.tsv');
    await writeFile(tsv, '1\t10\t5\tbuy\n');
    expect((await loadDataset(parseDatasetSpec(`ml-100k:${ml}`))).numShoppers).toBe(2);
    expect((await loadDataset(parseDatasetSpec(`seq:${seq}`))).numItems).toBe(2);
    // The population remembers its source, so a worker thread can load the same one.
    expect((await loadDataset({ kind: 'seq', path: seq, timestampsPath: seq })).source).toEqual({ kind: 'seq', path: seq, timestampsPath: seq });
    expect((await loadDataset(parseDatasetSpec(`tsv:${tsv}`))).shopper(0).events[0]!.type).toBe('purchase');
  });

  it('rejects a timestamps file for a kind other than seq, and an unknown kind', async () => {
    await expect(loadDataset({ kind: 'tsv', path: 'x', timestampsPath: 't' })).rejects.toMatchObject({ code: 'BAD_SPEC' });
    await expect(loadDataset({ kind: 'json', path: 'x' } as unknown as DatasetSpec)).rejects.toMatchObject({ code: 'BAD_SPEC' });
  });
});
