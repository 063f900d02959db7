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
