import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DECLINE_REASONS, HEADER_BYTES, MessageKind, PROTOCOL_VERSION, ProtocolEvent, decodeUpdate, parameterCount } from '@fedrec/core';
import { CATALOGUE } from '../../examples/web-shop/catalogue.js';
import { DEMO_DIM, startDemo, type RunningDemo } from '../../examples/web-shop/server/start-demo.js';
import { collectPageErrors, launchChromium } from './browser.js';
import { Resources, nextServerEvent } from './helpers.js';
import { readStoredContents, type StoredContents } from './stored-contents.js';

/*
 * The demo shop in a real Chromium against a real aggregation server: the
 * consent flow, what is stored when, recommendations, a federated round from
 * the page, forgetting, and an audit of every byte the page puts on the wire.
 */

const resources = new Resources();
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());
afterEach(() => resources.cleanup());

/** A fresh shop and a fresh browser profile (so a fresh IndexedDB) per test; one round at most per test. */
async function openShop(query = '', viewport = { width: 1280, height: 900 }): Promise<{ demo: RunningDemo; page: Page; context: BrowserContext; errors: string[] }> {
  const demo = await startDemo({ port: 0, roundCooldownMs: 600_000, logLevel: 'silent' });
  resources.add(() => demo.close());
  const context = await browser.newContext({ viewport });
  resources.add(() => context.close());
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${demo.url}/${query}`);
  await page.waitForFunction(() => document.documentElement.dataset['ready'] !== undefined);
  expect(await page.evaluate(() => document.documentElement.dataset['ready'])).toBe('true');
  return { demo, page, context, errors };
}

/** Reads the shop's IndexedDB directly, as a curious shopper with devtools would. */
function readIndexedDb(page: Page): Promise<StoredContents> {
  return page.evaluate(readStoredContents, 'fedrec-shopper');
}

const product = (name: string) => CATALOGUE.products.find((p) => p.name === name)!;

/** The id and text of the focused element, looking into the components' shadow roots (`<fedrec-consent>`, `<fedrec-privacy>`). */
function focused(page: Page): Promise<{ id: string; text: string }> {
  return page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return { id: active?.id ?? '', text: active?.textContent?.trim() ?? '' };
  });
}

/** The category of each recommended product, read from the cards the shopper sees. */
async function recommendedCategories(page: Page): Promise<string[]> {
  const metas = await page.locator('#recs-list .meta').allTextContents();
  return metas.map((meta) => meta.split(' · ')[0]!);
}

describe('web shop in Chromium', () => {
  it('asks for consent on the first visit (keyboard), stores nothing before it, and remembers the choice', async () => {
    const { page, errors } = await openShop();
    const banner = page.getByRole('region', { name: 'How may this shop use what you do here?' });
    await expect(banner.isVisible()).resolves.toBe(true);
    // Focus starts on the banner's heading (in <fedrec-consent>); an interaction before choosing is not kept.
    expect(await focused(page)).toEqual({ id: 'title', text: 'How may this shop use what you do here?' });
    await page.getByRole('button', { name: 'Buy Turntable' }).first().click();
    await page.getByText('Not remembered').waitFor();
    expect((await readIndexedDb(page)).events).toEqual([]);

    // Back to the banner, Tab to the second choice and press Enter.
    await page.locator('fedrec-consent h2').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Personalise on this device');
    await page.keyboard.press('Enter');
    await banner.waitFor({ state: 'hidden' });
    expect(await page.getByRole('radio', { name: 'Personalise on this device' }).isChecked()).toBe(true);

    await page.getByRole('button', { name: 'View Chess set' }).first().click();
    await page.getByText('Viewed Chess set.').waitFor();
    const stored = await readIndexedDb(page);
    expect(stored.events.map(({ item, type }) => ({ item, type }))).toEqual([{ item: product('Chess set').index, type: 'view' }]);
    expect(stored.records).toContain('consent');

    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true');
    expect(await banner.isVisible()).toBe(false);
    expect(await page.getByRole('radio', { name: 'Personalise on this device' }).isChecked()).toBe(true);
    expect(await page.locator('[data-fact="activity"]').textContent()).toMatch(/^1 event \(1 view, /);
    expect(errors).toEqual([]);
  });

  it('on a phone: a compact banner, focus on the list after a choice, a cart count, and a status toast that clears and covers nothing', async () => {
    const { page, errors } = await openShop('', { width: 390, height: 844 });
    const banner = page.getByRole('region', { name: 'How may this shop use what you do here?' });
    // The banner leaves most of the screen to the shop.
    const box = await banner.boundingBox();
    expect(box!.height).toBeLessThan(844 * 0.5);
    await page.getByRole('button', { name: 'Personalise on this device' }).click();
    await banner.waitFor({ state: 'hidden' });
    // Focus lands on the recommendations, not on <body>.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('recs-title');
    // Headings go h1 (the shop) → h2 (sections) → h3 (products): no level skipped.
    const levels = await page.evaluate(() => [...document.querySelectorAll('h1, h2, h3')].filter((h) => (h as HTMLElement).offsetParent !== null).map((h) => Number(h.tagName[1])));
    expect(levels[0]).toBe(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeLessThanOrEqual(1);

    await page.getByRole('button', { name: 'Add Chess set to cart' }).first().click();
    await page.getByText('Added to cart: Chess set.').waitFor();
    expect(await page.locator('#cart-count').textContent()).toBe('Cart: 1 item');
    // The button just used shows it took.
    await page.locator('button.done[data-action="cart"]').first().waitFor();
    // Scrolled to the end, the toast covers nothing: "Delete my data" sits above it.
    await page.getByRole('button', { name: 'Delete my data' }).scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const forget = (await page.getByRole('button', { name: 'Delete my data' }).boundingBox())!;
    const toast = (await page.locator('#status').boundingBox())!;
    expect(forget.y + forget.height).toBeLessThanOrEqual(toast.y);
    // And the toast clears by itself.
    await page.locator('#status').waitFor({ state: 'hidden', timeout: 30_000 });
    expect(errors).toEqual([]);
  });

  it('recommends popular items first, then follows the shopper’s interactions; the variety slider spreads categories', async () => {
    const { page, errors } = await openShop();
    await page.getByRole('button', { name: 'Personalise on this device' }).click();
    const list = page.locator('#recs-list');
    await page.waitForFunction(() => document.querySelectorAll('#recs-list li').length === 8);
    expect(await list.getAttribute('data-personalised')).toBe('false');

    // Variety all the way down (keyboard): pure relevance.
    await page.getByRole('slider', { name: 'Variety' }).focus();
    await page.keyboard.press('Home');
    expect(await page.locator('#diversity-value').textContent()).toBe('0');
    const popular = await recommendedCategories(page);

    for (const name of ['Turntable', 'Studio headphones', 'Bookshelf speakers']) {
      await page.getByRole('button', { name: `View ${name}` }).first().click();
      await page.getByText(`Viewed ${name}.`).waitFor();
    }
    await page.waitForFunction(() => document.querySelector('#recs-list')?.getAttribute('data-personalised') === 'true');
    await page.waitForFunction(() => [...document.querySelectorAll('#recs-list .meta')].filter((m) => m.textContent?.startsWith('Audio')).length >= 4);
    const personal = await recommendedCategories(page);
    expect(personal).not.toEqual(popular);

    await page.getByRole('slider', { name: 'Variety' }).focus();
    await page.keyboard.press('End');
    expect(await page.locator('#diversity-value').textContent()).toBe('1');
    await page.waitForFunction(() => new Set([...document.querySelectorAll('#recs-list .meta')].map((m) => m.textContent?.split(' · ')[0])).size >= 5);
    const varied = await recommendedCategories(page);
    expect(new Set(varied).size).toBeGreaterThan(new Set(personal).size);
    expect(varied[0]).toBe('Audio'); // the most relevant item still leads
    expect(errors).toEqual([]);
  });

  it('at consent local, recommends from the shopper’s own history against the shop’s catalogue (brands too), with no round', async () => {
    const { demo, page, errors } = await openShop();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
    await page.getByRole('button', { name: 'Personalise on this device' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#recs-list li').length === 8);
    await page.getByRole('slider', { name: 'Variety' }).focus();
    await page.keyboard.press('Home');

    // One brand in three categories: the shared model knows categories only, the catalogue knows brands.
    const lumen = CATALOGUE.products.filter((p) => p.brand === 'Lumen');
    const viewed = [lumen[0]!, lumen.find((p) => p.category === 2)!, lumen.find((p) => p.category === 4)!];
    for (const { name } of viewed) {
      await page.getByRole('button', { name: `View ${name}` }).first().click();
      await page.getByText(`Viewed ${name}.`).waitFor();
    }
    await page.waitForFunction(() => document.querySelector('#recs-list')?.getAttribute('data-source') === 'history');
    // The model alone would fill the list from the three categories viewed (at most 5 Lumen products among them).
    await page.waitForFunction(() => [...document.querySelectorAll('#recs-list .meta')].filter((m) => m.textContent?.split(' · ')[1] === 'Lumen').length >= 7);
    expect(await page.locator('#recs-list').getAttribute('data-personalised')).toBe('true');
    expect(await page.locator('#recs-note').textContent()).toMatch(/your activity and the shop’s catalogue/);
    // Lumen products of categories the shopper never looked at, by the brand alone.
    const metas = await page.locator('#recs-list .meta').allTextContents();
    const seenCategories = new Set(viewed.map((p) => CATALOGUE.categories[p.category]));
    expect(metas.some((meta) => !seenCategories.has(meta.split(' · ')[0]))).toBe(true);

    // Zero ε: no round, nothing sent but GETs of public things; the catalogue is kept for offline visits.
    expect(demo.fedrec.status().rounds.applied).toBe(0);
    // (The catalogue itself was fetched with the first list, at consent off: it names the products and retires some.)
    expect(requests.every((r) => r.startsWith('GET '))).toBe(true);
    expect((await readIndexedDb(page)).records).toContain('catalogue');

    // The next visit offers the stored version: 304, nothing downloaded again, the same kind of list.
    const statuses: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/catalogue') statuses.push(response.status());
    });
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true');
    expect(await page.locator('#recs-list').getAttribute('data-source')).toBe('history');
    expect(statuses).toEqual([304]);
    expect(errors).toEqual([]);
  });

  it('completes a federated round from the page; every frame it sends is protocol metadata or a noised update of the model’s size', async () => {
    const { demo, page, errors } = await openShop();
    const textFrames: string[] = [];
    const binaryFrames: Buffer[] = [];
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => {
        if (typeof payload === 'string') textFrames.push(payload);
        else binaryFrames.push(payload);
      });
    });
    const requests: { method: string; path: string; body: string | null }[] = [];
    page.on('request', (request) => requests.push({ method: request.method(), path: new URL(request.url()).pathname + new URL(request.url()).search, body: request.postData() }));

    // History first (personalising only), then the switch to contributing, in the dashboard.
    await page.getByRole('button', { name: 'Personalise on this device' }).click();
    for (const [action, name] of [['Buy', 'Camp stove'], ['Add', 'Rain shell'], ['View', 'Head torch']] as const) {
      const label = action === 'Add' ? `Add ${name} to cart` : `${action} ${name}`;
      await page.getByRole('button', { name: label }).first().click();
    }
    await page.locator('[data-fact="activity"]', { hasText: /^3 events/ }).waitFor();
    const applied = nextServerEvent(demo.fedrec, 'roundClosed', (round) => round.outcome === 'applied');
    await page.getByRole('radio', { name: 'Personalise and help improve' }).check();

    const round = await applied;
    expect(round).toMatchObject({ accepted: 1, modelVersion: 1 });
    await page.locator('#updates tbody tr td', { hasText: String(round.roundId) }).first().waitFor();
    await page.getByText(/^ε = \d+\.\d\d of your limit of 10/).waitFor();
    await page.waitForFunction(() => document.querySelector('#recs-list')?.getAttribute('data-model-version') === '1');

    // The wire: socket.io frames the page sent.
    const shape = { numItems: CATALOGUE.products.length, dim: DEMO_DIM };
    const updateBytes = HEADER_BYTES + parameterCount(shape) * 4;
    const metadata: Record<string, unknown>[] = [];
    for (const frame of textFrames) {
      if (/^[23](probe)?$/.test(frame) || frame === '5') continue; // engine.io ping, pong, upgrade
      const connect = /^40(\{.*\})$/.exec(frame);
      if (connect !== null) {
        const auth = JSON.parse(connect[1]!) as Record<string, unknown>;
        expect(Object.keys(auth).sort()).toEqual(['protocolVersion', 'token']);
        continue;
      }
      const event = /^4(?:2|51-)(\[.*\])$/.exec(frame);
      expect(event, `unexpected frame ${frame.slice(0, 80)}`).not.toBeNull();
      const [name, meta, attachment] = JSON.parse(event![1]!) as [string, Record<string, unknown>, unknown];
      expect([ProtocolEvent.ready, ProtocolEvent.update, ProtocolEvent.decline]).toContain(name);
      expect(meta['v']).toBe(PROTOCOL_VERSION);
      if (name === ProtocolEvent.decline) {
        // A round sat out (e.g. over the personal budget): the round id and one reason name, nothing else.
        expect(Object.keys(meta).sort()).toEqual(['kind', 'reason', 'roundId', 'v']);
        expect(DECLINE_REASONS).toContain(meta['reason']);
        continue;
      }
      if (name === ProtocolEvent.ready) {
        expect(Object.keys(meta).sort()).toEqual(['eligible', 'kind', 'v']);
        expect(meta['kind']).toBe(MessageKind.ready);
      } else {
        // No example count (DP rounds weight uniformly), no item, no event: the round id and the binary update.
        expect(Object.keys(meta).sort()).toEqual(['kind', 'roundId', 'v']);
        expect(meta['kind']).toBe(MessageKind.update);
        expect(attachment).toEqual({ _placeholder: true, num: 0 });
      }
      expect(Object.values(meta).every((value) => typeof value === 'number' || typeof value === 'boolean')).toBe(true);
      metadata.push(meta);
    }
    expect(metadata.some((m) => m['kind'] === MessageKind.ready)).toBe(true);
    expect(metadata.filter((m) => m['kind'] === MessageKind.update)).toEqual([{ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId: round.roundId }]);
    expect(binaryFrames).toHaveLength(1);
    expect(binaryFrames[0]!.byteLength).toBe(updateBytes);
    const update = decodeUpdate(new Uint8Array(binaryFrames[0]!), { expectedShape: shape, requireFinite: true });
    expect(update.baseVersion).toBe(0);
    // Dense noise on every coordinate: no zero left to show which items were (not) touched.
    expect(update.values.every((x) => x !== 0)).toBe(true);

    // Plain HTTP: static files, the model, one empty enrolment; nothing names a product.
    const names = CATALOGUE.products.flatMap((p) => [p.sku, p.name]);
    for (const request of requests) {
      expect(names.some((name) => request.path.includes(name) || (request.body ?? '').includes(name))).toBe(false);
      if (request.method !== 'GET') expect(request).toMatchObject({ method: 'POST', path: '/enrol', body: null });
    }
    expect(requests.map((r) => r.path)).toContain('/model');
    expect(errors).toEqual([]);
  });

  it('runs on the wasm backend by default, with its binaries served by the shop (issue #16: WebGL only when asked)', async () => {
    // No ?backend=: the page calls selectBrowserBackend with its wasmPaths only, as a shop would.
    const { page, errors } = await openShop();
    expect(await page.evaluate(() => document.documentElement.dataset['backend'])).toBe('wasm');
    await page.getByRole('button', { name: 'Personalise on this device' }).click();
    await page.getByRole('button', { name: 'View Compost bin' }).first().click();
    await page.waitForFunction(() => document.querySelector('#recs-list')?.getAttribute('data-personalised') === 'true');
    expect(await recommendedCategories(page)).toContain('Garden');
    expect(errors).toEqual([]);
  });

  it('“Delete my data” says what cannot be taken back, then empties IndexedDB and asks again', async () => {
    const { demo, page, errors } = await openShop();
    const applied = nextServerEvent(demo.fedrec, 'roundClosed', (round) => round.outcome === 'applied');
    await page.getByRole('button', { name: 'Personalise and help improve' }).click();
    await page.getByRole('button', { name: 'Buy Puzzle cube' }).first().click();
    await applied;
    await page.locator('#updates tbody tr:not(:has(.empty))').first().waitFor();
    // The purchase is stored in order with the client's other work, so it may land after a round that was
    // already training when it was made (the update row above): wait until it is in IndexedDB.
    await expect.poll(async () => (await readIndexedDb(page)).events.length, { timeout: 30_000 }).toBeGreaterThan(0);
    const before = await readIndexedDb(page);
    expect(before.records).toEqual(expect.arrayContaining(['consent', 'privacy']));

    const statement = page.locator('#forget-statement');
    expect(await statement.textContent()).toMatch(/Updates already sent cannot be taken back:\s+they were combined, with random noise, into the shared model/);
    await page.getByRole('button', { name: 'Delete my data' }).click();
    await page.getByRole('button', { name: 'Yes, delete everything' }).click();
    await page.getByText('Deleted. Nothing about you is stored in this browser now.').waitFor();

    expect(await readIndexedDb(page)).toEqual({ events: [], records: [] });
    expect(await page.getByRole('region', { name: 'How may this shop use what you do here?' }).isVisible()).toBe(true);
    await page.getByText('None sent.').waitFor();
    expect(await page.locator('[data-fact="activity"]').textContent()).toBe('none');
    expect(errors).toEqual([]);
  });
});
