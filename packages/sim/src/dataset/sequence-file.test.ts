import { describe, it, expect } from 'vitest';
import { useTempDir } from '../test-support/temp-dir.js';
import { loadSequenceFile } from './sequence-file.js';

const { file, path: pathIn } = useTempDir('fedrec-seq-');

describe('loadSequenceFile', () => {
  it('keeps the order on the line without timestamps', async () => {
    const path = await file('Beauty.txt', '1 1 2 3\n2 4 2 5 1\n');
    const seq = await loadSequenceFile(path);
    expect(seq.numShoppers).toBe(2);
    expect(seq.numItems).toBe(5);
    expect(seq.name).toBe('seq:Beauty.txt');
    expect(seq.shopper(1).events.map((e) => seq.itemId(e.item))).toEqual(['4', '2', '5', '1']);
    expect(seq.shopper(1).events.every((e, k, all) => k === 0 || e.time > all[k - 1]!.time)).toBe(true);
  });

  it('takes times from a parallel file and sorts by them, stably', async () => {
    const path = await file('items.txt', 'a x y z\nb y w\n');
    const times = await file('times.txt', 'a 300 100 300\nb 1700000000 1700000000\n');
    const seq = await loadSequenceFile(path, times);
    expect(seq.shopper(0).events).toEqual([
      { item: seq.itemIndex('y'), type: 'view', time: 100_000 },
      { item: seq.itemIndex('x'), type: 'view', time: 300_000 },
      { item: seq.itemIndex('z'), type: 'view', time: 300_000 },
    ]);
    expect(seq.shopper(1).events.map((e) => seq.itemId(e.item))).toEqual(['y', 'w']);
  });

  it('merges a shopper over several lines and skips lines without items', async () => {
    const seq = await loadSequenceFile(await file('merge.txt', '7 a b\n8\n7 c\n'));
    expect(seq.numShoppers).toBe(1);
    expect(seq.shopper(0).events.map((e) => seq.itemId(e.item))).toEqual(['a', 'b', 'c']);
  });

  it('reports a timestamps file that does not line up', async () => {
    const path = await file('s.txt', '1 a b\n2 c d\n');
    const cases: [string, string, number, string][] = [
      ['t-user.txt', '1 10 20\n3 10 20\n', 2, 'expected user "2" as on line 2'],
      ['t-count.txt', '1 10 20\n2 10\n', 2, 'expected 2 timestamps, one per item on line 2'],
      ['t-short.txt', '1 10 20\n', 2, 'has more lines than the timestamps file'],
      ['t-long.txt', '1 10 20\n2 10 20\n3 1\n', 3, 'the timestamps file has more lines'],
    ];
    for (const [name, text, line, message] of cases) {
      const times = await file(name, text);
      await expect(loadSequenceFile(path, times), name).rejects.toMatchObject({ name: 'DatasetError', code: 'MISMATCH', path: times, line });
      await expect(loadSequenceFile(path, times), name).rejects.toThrow(message);
    }
    const garbled = await file('t-bad.txt', '1 10 20\n2 10 soon\n');
    await expect(loadSequenceFile(path, garbled)).rejects.toMatchObject({ code: 'PARSE', path: garbled, line: 2, message: expect.stringContaining('for item 2, got "soon"') });
  });

  it('names a missing sequence or timestamps file, and rejects an empty one', async () => {
    const path = await file('ok.txt', '1 a b\n');
    const missing = pathIn('missing.txt');
    await expect(loadSequenceFile(missing)).rejects.toMatchObject({ code: 'NOT_FOUND', path: missing });
    await expect(loadSequenceFile(path, missing)).rejects.toMatchObject({ code: 'NOT_FOUND', path: missing });
    const empty = await file('empty.txt', '1\n2\n');
    await expect(loadSequenceFile(empty)).rejects.toMatchObject({ code: 'EMPTY', path: empty });
  });
});
