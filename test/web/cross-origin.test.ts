import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Resources, startServer } from '../server/helpers.js';
import { launchChromium, serveFiles, type StaticSite } from './browser.js';

const resources = new Resources();
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser.close());
afterEach(() => resources.cleanup());

const ENROLMENT_KEY = 'a-key-the-shop-gives-its-pages-0123456789';

/** The shop's site: its origin (another port than the FedRec server's) is known once it listens. */
async function shopSite(): Promise<StaticSite> {
  const site = await serveFiles({ '/': { type: 'text/html', body: '<!doctype html><title>shop</title>' } });
  resources.add(() => site.close());
  return site;
}

/** What a page of the shop can read from the FedRec server: the model with its version, and a token (a keyed POST, so preceded by a preflight). */
async function readFromShopPage(site: StaticSite, serverUrl: string) {
  const page = await browser.newPage();
  resources.add(() => page.close());
  await page.goto(site.url);
  return page.evaluate(
    async ({ url, key }) => {
      try {
        const model = await fetch(`${url}/model`);
        const modelBytes = (await model.arrayBuffer()).byteLength;
        const enrol = await fetch(`${url}/enrol`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
        const token = ((await enrol.json()) as { token?: unknown }).token;
        return { modelVersion: model.headers.get('x-fedrec-model-version'), modelBytes, enrolled: typeof token === 'string', error: null };
      } catch (error) {
        return { modelVersion: null, modelBytes: 0, enrolled: false, error: String(error) };
      }
    },
    { url: serverUrl, key: ENROLMENT_KEY },
  );
}

describe('a shop page on another origin, in Chromium', () => {
  it('fetches the model (with its version) and enrols with a key, when the server lists the shop in corsOrigins', async () => {
    const site = await shopSite();
    const server = await startServer(resources, { corsOrigins: [site.url], auth: { enrolment: 'key', enrolmentKey: ENROLMENT_KEY } });
    const result = await readFromShopPage(site, server.address!.url);
    expect(result).toMatchObject({ modelVersion: '0', enrolled: true, error: null });
    expect(result.modelBytes).toBeGreaterThan(0);
  });

  it('is refused by the browser when the server does not list the shop', async () => {
    const site = await shopSite();
    const server = await startServer(resources, { auth: { enrolment: 'key', enrolmentKey: ENROLMENT_KEY } });
    const result = await readFromShopPage(site, server.address!.url);
    expect(result).toMatchObject({ enrolled: false, error: expect.stringMatching(/Failed to fetch/) });
  });
});
