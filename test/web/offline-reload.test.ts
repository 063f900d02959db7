import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { tfjsCoreOnly, zodEnglishOnly } from '../../scripts/build-client-bundle.js';
import { openBundledSite } from './browser.js';
import { Resources, startServer } from './helpers.js';
import type { OfflineShop } from './offline-shop-page.js';

/*
 * Issue 16, point 2, in Chromium: a shopper who visited while the FedRec
 * server was up reloads the page with the server down, and still gets
 * recommendations, from the model the client kept in IndexedDB.
 */

const resources = new Resources();
afterEach(() => resources.cleanup());

const ENTRY = `import './test/web/offline-shop-page.ts';`;

/** Calls `offlineShop[name](...args)` in the page. */
function call<K extends keyof Omit<OfflineShop, 'events'>>(page: Page, name: K, ...args: Parameters<OfflineShop[K]>): Promise<Awaited<ReturnType<OfflineShop[K]>>> {
  return page.evaluate(
    ({ name, args }) => {
      const shop = (globalThis as unknown as { offlineShop: Record<string, (...a: unknown[]) => unknown> }).offlineShop;
      return shop[name]!(...args);
    },
    { name, args },
  ) as Promise<Awaited<ReturnType<OfflineShop[K]>>>;
}

describe('a returning shopper, page reloaded with the server down (Chromium)', () => {
  it('recommends from the model in IndexedDB, says it is offline, and forget() deletes the model', async () => {
    const server = await startServer(resources);
    const address = server.address!;
    const site = await openBundledSite(ENTRY, 'offlineShop', { plugins: [tfjsCoreOnly, zodEnglishOnly], proxyTo: { host: address.host, port: address.port } });
    resources.add(() => site.close());

    const { page, errors } = await site.openTab();
    const notFound: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) notFound.push(new URL(response.url()).pathname);
    });
    await call(page, 'open');
    expect((await call(page, 'recommend', 3)).modelVersion).toBe(0);
    await call(page, 'optIn');
    await call(page, 'view', [4, 5, 6]);
    expect(await call(page, 'recommend', 3)).toMatchObject({ personalised: true, modelVersion: 0 });
    expect(await call(page, 'storedModelVersion')).toBe(0);

    await server.close();
    await page.reload();
    await page.waitForFunction(() => (globalThis as { offlineShop?: unknown }).offlineShop !== undefined);
    await call(page, 'open');
    const list = await call(page, 'recommend', 3);
    expect(list).toMatchObject({ personalised: true, modelVersion: 0 });
    expect(list.items).toHaveLength(3);
    const seen = await page.evaluate(() => (globalThis as unknown as { offlineShop: OfflineShop }).offlineShop.events);
    expect(seen[0]).toMatchObject({ event: 'offline', detail: expect.stringMatching(/^SERVER_UNREACHABLE: the server cannot be reached: GET \/model answered HTTP 502/) });
    expect(seen).toContainEqual({ event: 'modelUpdated', detail: '0' });

    await call(page, 'forget');
    expect(await call(page, 'storedModelVersion')).toBeNull();
    // This server has no catalogue: at consent `local` the client asks (GET /catalogue, 404) and recommends as without one.
    expect(new Set(notFound)).toEqual(new Set(['/catalogue']));
    // Chromium logs those 404s and the proxy's 502s for the stopped server; the client raised no error of its own.
    expect(errors.filter((error) => /status of 404/.test(error))).toHaveLength(notFound.length);
    expect(errors.filter((error) => !/502|status of 404/.test(error))).toEqual([]);
  });
});
