import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { STORE_CONTRACT } from '../../packages/client/src/test-support/store-contract.js';
import { tfjsCoreOnly, zodEnglishOnly } from '../../scripts/build-client-bundle.js';
import { collectPageErrors, launchChromium, serveFiles, type StaticSite } from './browser.js';

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
  await check.run({ persistent: true, open: async (store, options) => createIndexedDbStore({ ...options, name: 'contract-' + session + '-' + store }) });
};
`;

let browser: Browser;
let site: StaticSite;
let page: Page;
let errors: string[];

beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: new URL('../..', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['source'],
    write: false,
    plugins: [tfjsCoreOnly, zodEnglishOnly],
    logLevel: 'error',
  });
  site = await serveFiles({
    '/': { type: 'text/html', body: '<!doctype html><link rel="icon" href="data:,"><title>store contract</title><script type="module" src="/contract.js"></script>' },
    '/contract.js': { type: 'text/javascript', body: bundle.outputFiles[0]!.contents },
  });
  browser = await launchChromium();
  page = await browser.newPage();
  errors = collectPageErrors(page);
  await page.goto(site.url);
  await page.waitForFunction(() => typeof (globalThis as { storeContract?: unknown }).storeContract === 'function');
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('createIndexedDbStore in Chromium: the ShopperStore contract', () => {
  for (const { name } of STORE_CONTRACT) {
    it(name, async () => {
      await page.evaluate((check) => (globalThis as unknown as { storeContract: (name: string) => Promise<void> }).storeContract(check), name);
      expect(errors).toEqual([]);
    });
  }
});
