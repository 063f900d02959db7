import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_CONTRACT } from '../test-support/store-contract.js';
import { loadPersonalBudget } from '../privacy/stored-ledger.js';
import { createFileStore } from './file-store.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-file-store-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('createFileStore: the ShopperStore contract', () => {
  for (const contract of STORE_CONTRACT) {
    it(contract.name, () => contract.run({ persistent: true, open: async (name, options) => createFileStore(join(dir, 'contract', `${name}.json`), options) }));
  }
});

describe('createFileStore', () => {
  it('writes a 0600 file and leaves no temporary file behind', async () => {
    const file = join(dir, 'mode', 'shopper.json');
    const store = createFileStore(file);
    await store.writeRecord('consent', 'local');
    await store.close();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ format: 'fedrec.shopper-store', version: 1, records: { consent: 'local' } });
  });

  it('refuses a corrupt file with STORAGE_CORRUPT rather than starting afresh, and clear() recovers', async () => {
    const file = join(dir, 'corrupt.json');
    await writeFile(file, '{"format":"fedrec.shopper-store","version":1,"events":[');
    const store = createFileStore(file);
    await expect(store.readRecord('privacy')).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
    await store.clear();
    expect(await store.readEvents()).toEqual([]);
    await store.close();
  });

  it('refuses a file of another format or version, naming the field', async () => {
    const file = join(dir, 'other.json');
    await writeFile(file, JSON.stringify({ format: 'fedrec.shopper-store', version: 2, events: [], records: {} }));
    const store = createFileStore(file);
    await expect(store.readEvents()).rejects.toMatchObject({ code: 'STORAGE_CORRUPT', path: 'version' });
    await store.close();
  });

  it('refuses a corrupt stored privacy ledger with STORAGE_CORRUPT naming its first bad field', async () => {
    const file = join(dir, 'ledger.json');
    const ledger = { format: 'fedrec.privacy-ledger', version: 1, orders: [2, 4], entries: [{ samplingRate: 1, noiseMultiplier: 1.5, steps: -3 }] };
    await writeFile(file, JSON.stringify({ format: 'fedrec.shopper-store', version: 1, events: [], records: { privacy: { ledger, delta: 1e-5, updates: [] } } }));
    const store = createFileStore(file);
    await expect(loadPersonalBudget(store, 1)).rejects.toMatchObject({ code: 'STORAGE_CORRUPT', path: 'privacy.ledger.entries.0.steps' });
    await store.close();
  });

  it('skips malformed events in an edited file', async () => {
    const file = join(dir, 'edited.json');
    const events = [{ item: 1, type: 'view', time: Date.now() }, { item: -1, type: 'view', time: 0 }, { item: 2, type: 'like', time: 0 }, 'junk'];
    await writeFile(file, JSON.stringify({ format: 'fedrec.shopper-store', version: 1, events, records: {} }));
    const store = createFileStore(file);
    expect((await store.readEvents()).map((e) => e.item)).toEqual([1]);
    await store.close();
  });
});
