import { describe, it, expect } from 'vitest';
import { useTempDir } from '../test-support/temp-dir.js';
import { loadMovieLens100k } from './movielens.js';

const { file, path: pathIn } = useTempDir('fedrec-ml-');

describe('loadMovieLens100k', () => {
  it('reads u.data: dense ids in order of first appearance, events sorted by time', async () => {
    const path = await file('u.data', ['196\t242\t3\t881250949', '186\t302\t3\t891717742', '196\t377\t1\t878887116', '186\t242\t5\t891717742'].join('\n') + '\n');
    const movies = await loadMovieLens100k(path);
    expect(movies.numShoppers).toBe(2);
    expect(movies.numItems).toBe(3);
    expect(movies.numEvents).toBe(4);
    expect(movies.name).toBe('ml-100k:u.data');
    expect(movies.shopperId(0)).toBe('196');
    expect(movies.itemId(0)).toBe('242');
    expect(movies.itemIndex('377')).toBe(2);
    // User 196 rated 377 before 242.
    expect(movies.shopper(0).events).toEqual([
      { item: 2, type: 'view', time: 878_887_116_000 },
      { item: 0, type: 'view', time: 881_250_949_000 },
    ]);
    // Equal times keep file order.
    expect(movies.shopper(1).events.map((e) => movies.itemId(e.item))).toEqual(['302', '242']);
  });

  it('names the file and line of a garbled rating', async () => {
    const path = await file('bad.data', '1\t1\t5\t881250949\n\n1\t2\t5\n');
    await expect(loadMovieLens100k(path)).rejects.toMatchObject({ code: 'PARSE', path, line: 3 });
    await expect(loadMovieLens100k(path)).rejects.toThrow(`${path}:3: expected 4 tab-separated fields (user item rating timestamp), got 3`);
    const shifted = await file('shifted.data', '1\t1\t5\t881250949\n1\tx\t5\t881250949\n');
    await expect(loadMovieLens100k(shifted)).rejects.toThrow(`${shifted}:2: expected an item id (a positive integer), got "x"`);
    const time = await file('time.data', '1\t1\t5\t2014-01-01\n');
    await expect(loadMovieLens100k(time)).rejects.toMatchObject({ code: 'PARSE', line: 1, message: expect.stringContaining('epoch seconds') });
  });

  it('rejects a missing or empty file', async () => {
    const missing = pathIn('absent.data');
    await expect(loadMovieLens100k(missing)).rejects.toMatchObject({ code: 'NOT_FOUND', path: missing });
    const empty = await file('empty.data', '\n\n');
    await expect(loadMovieLens100k(empty)).rejects.toMatchObject({ code: 'EMPTY', path: empty });
  });
});
