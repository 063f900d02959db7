import { describe, it, expect } from 'vitest';
import { useTempDir } from '../test-support/temp-dir.js';
import { loadEventFile } from './event-file.js';
import type { RecordedPopulation } from './recorded-population.js';

const { file } = useTempDir('fedrec-events-');

/** Every event as `shopperId itemId type time`, shopper by shopper. */
function dump(p: RecordedPopulation): string[] {
  return Array.from({ length: p.numShoppers }, (_, s) => p.shopper(s).events.map((e) => `${p.shopperId(s)} ${p.itemId(e.item)} ${e.type} ${e.time}`)).flat();
}

describe('loadEventFile', () => {
  it('reads headerless TSV without an event column (all views)', async () => {
    const path = await file('plain.tsv', 'u1\tA\t20\nu2\tB\t10\nu1\tB\t5\n');
    const log = await loadEventFile(path);
    expect(dump(log)).toEqual(['u1 B view 5000', 'u1 A view 20000', 'u2 B view 10000']);
    expect(log.name).toBe('tsv:plain.tsv');
  });

  it('reads CSV with a header, event synonyms and ISO dates', async () => {
    const path = await file(
      'log.csv',
      ['user_id,item_id,timestamp,event', 'alice,"sku,1",2024-03-01T10:00:00Z,click', 'alice,sku2,2024-03-01T10:05:00Z,add_to_cart', 'bob,sku2,2024-03-02,BUY', 'alice,sku2,2024-03-01T10:07:00Z,', 'bob,sku3,2024-03-03,remove_from_cart'].join('\r\n'),
    );
    const log = await loadEventFile(path);
    const t = (iso: string) => Date.parse(iso);
    expect(dump(log)).toEqual([
      `alice sku,1 view ${t('2024-03-01T10:00:00Z')}`,
      `alice sku2 cart ${t('2024-03-01T10:05:00Z')}`,
      `alice sku2 view ${t('2024-03-01T10:07:00Z')}`,
      `bob sku2 purchase ${t('2024-03-02T00:00:00Z')}`,
    ]);
    // The skipped removal introduces no item.
    expect(log.itemIndex('sku3')).toBeUndefined();
  });

  it('takes columns by header name in any order (RetailRocket layout)', async () => {
    const path = await file('events.csv', 'timestamp,visitorid,event,itemid,transactionid\n1433221332117,257597,view,355908,\n1433224214164,992329,transaction,248676,4000\n');
    expect(dump(await loadEventFile(path))).toEqual(['257597 355908 view 1433221332117', '992329 248676 purchase 1433224214164']);
  });

  it('detects an unnamed header by its time column, and semicolons', async () => {
    const path = await file('semi.csv', 'who;what;when\n1;2;1700000000\n');
    expect(dump(await loadEventFile(path))).toEqual(['1 2 view 1700000000000']);
  });

  it('names the file, the line and what was expected', async () => {
    const cases: [string, string, number, string][] = [
      ['time.tsv', 'u\ti\t100\nu\ti\tyesterday\n', 2, 'expected a timestamp (epoch seconds or milliseconds, or an ISO 8601 date), got "yesterday"'],
      ['event.tsv', 'u\ti\t100\tview\nu\ti\t100\tteleport\n', 2, 'expected an event (view|cart|purchase, or a synonym such as click, add_to_cart, buy, transaction), got "teleport"'],
      ['fields.tsv', 'u\ti\t100\n\nu\ti\n', 3, 'expected 3 or 4 fields (user item timestamp [event]), got 2'],
      ['quote.csv', 'u,i,100\nu,"i,100\n', 2, 'expected a closing double quote'],
      ['blank-id.csv', 'u,i,100\n,i,100\n', 2, 'expected a user id'],
      ['named.csv', 'visitorid,itemid,timestamp,event\n1,2,100,view\n1,2\n', 3, 'expected at least 4 fields, as in the header, got 2'],
      ['header.csv', 'user,item\n1,2\n', 1, 'expected a header naming the user, item and time columns'],
    ];
    for (const [name, text, line, message] of cases) {
      const path = await file(name, text);
      await expect(loadEventFile(path), name).rejects.toMatchObject({ name: 'DatasetError', code: 'PARSE', path, line });
      await expect(loadEventFile(path), name).rejects.toThrow(`${path}:${line}: ${message}`);
    }
  });

  it('rejects a file with only a header', async () => {
    const path = await file('header-only.csv', 'user,item,timestamp\n');
    await expect(loadEventFile(path)).rejects.toMatchObject({ code: 'EMPTY', path });
  });
});
