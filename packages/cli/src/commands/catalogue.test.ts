import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCatalogueJson } from '@fedrec/core/catalogue';
import { main } from '../program.js';

describe('fedrec catalogue', () => {
  let dir: string | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('writes the JSON a server serves, and says what it holds', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedrec-catalogue-cli-'));
    await writeFile(join(dir, 'products.csv'), 'sku,attributes\nsku-1,brand:Acme,category:lips,price=12.50\nsku-2,brand:Zen\n');
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
    const out = join(dir, 'catalogue.json');
    expect(await main(['catalogue', `csv:${join(dir, 'products.csv')}`, '--out', out])).toBe(0);
    const catalogue = parseCatalogueJson(await readFile(out, 'utf8'));
    expect(catalogue.itemIds).toEqual(['sku-1', 'sku-2']);
    expect(err.join('')).toBe(`wrote ${out}: 2 items, 3 attributes, numeric: price, version ${catalogue.version}\n`);
  });

  it('--retired marks the listed products retired (the rows stay), and an unknown id exits 2 naming file and line', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedrec-catalogue-cli-'));
    await writeFile(join(dir, 'products.csv'), 'sku-1,brand:Acme\nsku-2,brand:Zen\nsku-3,brand:Zen\n');
    await writeFile(join(dir, 'retired.txt'), '# off sale since Monday\nsku-2\n\n');
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
    const out = join(dir, 'catalogue.json');
    expect(await main(['catalogue', `csv:${join(dir, 'products.csv')}`, '--out', out, '--retired', join(dir, 'retired.txt')])).toBe(0);
    const catalogue = parseCatalogueJson(await readFile(out, 'utf8'));
    expect(catalogue.itemIds).toEqual(['sku-1', 'sku-2', 'sku-3']);
    expect(Array.from(catalogue.retired)).toEqual([0, 1, 0]);
    expect(err.join('')).toContain('3 items (1 retired)');

    await writeFile(join(dir, 'typo.txt'), 'sku-3\nsku-22\n');
    const again = join(dir, 'again.json');
    expect(await main(['catalogue', `csv:${join(dir, 'products.csv')}`, '--out', again, '--retired', join(dir, 'typo.txt')])).toBe(2);
    expect(err.join('')).toMatch(/typo\.txt:2: no product "sku-22" in the catalogue to retire/);
    await expect(readFile(again)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('exits 2 naming the file and line of a garbled catalogue, and writes nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedrec-catalogue-cli-'));
    await writeFile(join(dir, 'bad.csv'), 'a,price=1\nb,price=cheap\n');
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
    const out = join(dir, 'catalogue.json');
    expect(await main(['catalogue', `csv:${join(dir, 'bad.csv')}`, '--out', out])).toBe(2);
    expect(err.join('')).toMatch(/bad\.csv:2: expected a finite number for price, got "cheap"/);
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
