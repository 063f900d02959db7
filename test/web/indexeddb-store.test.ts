import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_CONTRACT } from '../../packages/client/src/test-support/store-contract.js';
import { tfjsCoreOnly, zodEnglishOnly } from '../../scripts/build-client-bundle.js';
import { openBundledPage, type BundledPage } from './browser.js';

/*
 * The very checks the memory and file stores pass under vitest in Node
 * (`store-contract.ts`), run inside a real Chromium page against the
 * IndexedDB store: bundled with esbuild, one `page.evaluate` per check.
 */

const ENTRY = `
import { STORE_CONTRACT } from './packages/client/src/test-support/store-contract.ts';
import { createIndexedDbStore } from './packages/client/src/browser/indexeddb-store.ts';
const session = Math.random().toString(36).slice(2);
globalThis.storeContract = async (name) => {
  const check = STORE_CONTRACT.find((c) => c.name === name);
  if (check === undefined) throw new Error('no check named ' + name);
  await check.run({ persistent: true, shared: true, open: async (store, options) => createIndexedDbStore({ ...options, name: 'contract-' + session + '-' + store }) });
};
`;

let opened: BundledPage;

beforeAll(async () => {
  opened = await openBundledPage(ENTRY, 'storeContract', [tfjsCoreOnly, zodEnglishOnly]);
});

afterAll(async () => {
  await opened?.close();
});

describe('createIndexedDbStore in Chromium: the ShopperStore contract', () => {
  for (const { name } of STORE_CONTRACT) {
    it(name, async () => {
      await opened.page.evaluate((check) => (globalThis as unknown as { storeContract: (name: string) => Promise<void> }).storeContract(check), name);
      expect(opened.errors).toEqual([]);
    });
  }
});
