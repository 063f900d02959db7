import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CATALOGUE } from '../../examples/web-shop/catalogue.js';
import { startReactShop } from '../../examples/react-shop/start-react-shop.js';
import { collectPageErrors, launchChromium } from './browser.js';
import { Resources } from './helpers.js';

/*
 * The React example (examples/react-shop) in a real Chromium against the demo
 * shop's real aggregation server: the component opens the client, the
 * shopper chooses consent `local`, views products, and the list it renders
 * follows what they viewed.
 */

const resources = new Resources();
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());
afterEach(() => resources.cleanup());

const categoryOf = (name: string): string => {
  const product = CATALOGUE.products.find((p) => p.name === name);
  if (product === undefined) throw new Error(`not in the catalogue: ${name}`);
  return CATALOGUE.categories[product.category]!;
};

async function recommended(page: Page): Promise<{ source: string; names: string[] }> {
  const list = page.locator('#recs');
  return { source: (await list.getAttribute('data-source')) ?? '', names: await list.locator('li').allTextContents() };
}

describe('the React example shop in Chromium', () => {
  it('recommends popular products, then, at consent local, from the products the shopper viewed', async () => {
    const shop = await startReactShop({ port: 0, roundCooldownMs: 600_000, logLevel: 'silent' });
    resources.add(() => shop.close());
    const context = await browser.newContext();
    resources.add(() => context.close());
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${shop.url}/react/`);

    await page.getByText('You have not chosen yet, so nothing is kept.').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#recs li').length > 0);
    const before = await recommended(page);
    expect(before.source).toBe('popularity');

    await page.getByRole('button', { name: 'Remember on this device' }).click();
    await page.getByText('You chose: Remember on this device.', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Remember on this device' }).getAttribute('aria-pressed')).toBe('true');
    for (const name of ['Turntable', 'Studio headphones', 'Bookshelf speakers']) {
      await page.getByRole('button', { name: `View ${name}` }).click();
    }

    // Each view is tracked, then the list asked for again; poll until the last view's list is shown.
    const audioCount = (names: readonly string[]): number => names.filter((name) => categoryOf(name) === 'Audio').length;
    await expect.poll(async () => audioCount((await recommended(page)).names), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    const after = await recommended(page);
    expect(after.source).toBe('history');
    expect(after.names).toHaveLength(6);
    expect(after.names).not.toEqual(before.names);
    // Three Audio products viewed: the history scorer ranks Audio (same category) first.
    expect(categoryOf(after.names[0]!)).toBe('Audio');
    expect(errors).toEqual([]);
  });
});
