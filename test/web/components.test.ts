import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { tfjsCoreOnly, zodEnglishOnly } from '../../scripts/build-client-bundle.js';
import { openBundledSite, type BundledSite } from './browser.js';
import type { ComponentsPage } from './components-page.js';
import { Resources, nextServerEvent, startServer } from './helpers.js';

/*
 * `<fedrec-consent>` and `<fedrec-privacy>` (@fedrec/client/components) in
 * a real Chromium, over a real client on IndexedDB and a real FedRec server
 * reached through the page's origin (issue #16, point 8): keyboard only,
 * right to left in Arabic, axe-core with no violations in English and
 * Arabic, and “Delete my data” emptying the device's storage.
 */

const ENTRY = "import './test/web/components-page.ts';";
const AXE_SOURCE = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

const resources = new Resources();
let site: BundledSite;
let stores = 0;

beforeAll(async () => {
  // DP parameters, so that the notice states a promise; rounds never open (no cohort of 1000 comes).
  const server = await startServer(resources, {
    privacy: { targetEpsilon: 3, delta: 1e-5, clipNorm: 0.5, noiseMultiplier: 1.2 },
    rounds: { minClients: 1000, sampling: { kind: 'poisson', rate: 0.05 } },
    privacyNotice: { operator: 'A demo shop', contact: 'privacy@shop.example' },
  });
  const address = server.address!;
  site = await openBundledSite(ENTRY, 'componentsPage', { plugins: [tfjsCoreOnly, zodEnglishOnly], proxyTo: { host: address.host, port: address.port } });
}, 120_000);
afterAll(async () => {
  await site?.close();
  await resources.cleanup();
});

const pages: Page[] = [];
afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
});

/** A tab with the components in `lang`, over a fresh store (or `store`, shared with another tab). */
async function open(lang: 'en' | 'ar', store = `fedrec-components-${++stores}`): Promise<{ page: Page; errors: string[]; version: string; store: string }> {
  const { page, errors } = await site.openTab();
  pages.push(page);
  const version = await page.evaluate(([l, s]) => (globalThis as unknown as { componentsPage: ComponentsPage }).componentsPage.open(l!, s!), [lang, store]);
  // The notice is shown in the banner's disclosure.
  await page.locator('fedrec-consent summary', { hasText: version }).waitFor();
  return { page, errors, version, store };
}

function call<K extends keyof ComponentsPage>(page: Page, name: K, ...args: Parameters<ComponentsPage[K]>): Promise<Awaited<ReturnType<ComponentsPage[K]>>> {
  return page.evaluate(
    ([n, a]) => {
      const target = (globalThis as unknown as { componentsPage: Record<string, (...x: unknown[]) => unknown> }).componentsPage;
      return target[n as string]!(...(a as unknown[]));
    },
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<ComponentsPage[K]>>>;
}

/** Where focus is: the id (or text) of the focused element, looking into the components' shadow roots. */
function focused(page: Page): Promise<{ host: string | null; id: string; text: string }> {
  return page.evaluate(() => {
    let active = document.activeElement;
    let host: string | null = null;
    while (active?.shadowRoot?.activeElement) {
      host = active.tagName.toLowerCase();
      active = active.shadowRoot.activeElement;
    }
    return { host, id: active?.id ?? '', text: active?.textContent?.trim() ?? '' };
  });
}

async function axeViolations(page: Page): Promise<{ id: string; nodes: string[] }[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
}

describe('<fedrec-consent> and <fedrec-privacy> in Chromium', () => {
  it('keyboard only: Tab reaches the banner’s choices, Enter chooses, focus lands on the page’s heading, and the choice is stored with the notice version', async () => {
    const { page, errors, version } = await open('en');
    const banner = page.getByRole('region', { name: 'How may this shop use what you do here?' });
    expect(await banner.isVisible()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ host: 'fedrec-consent', text: 'Don’t keep anything' });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ host: 'fedrec-consent', text: 'Personalise on this device' });
    // The button is described by its explanation.
    expect(await page.getByRole('button', { name: 'Personalise on this device' }).getAttribute('aria-describedby')).toBe('about-local');
    await page.keyboard.press('Enter');
    await banner.waitFor({ state: 'hidden' });
    // Not <body>: the element named by focus-after.
    expect(await focused(page)).toEqual({ host: null, id: 'shop-title', text: 'A demo shop' });
    expect(await call(page, 'state')).toEqual({ consent: 'local', consentChosen: true, consentNeeded: false, noticeVersion: version });
    await expect.poll(() => call(page, 'consentRecord')).toMatchObject({ level: 'local', noticeVersion: version });
    // The dashboard follows: its radio is checked, and it says which notice the choice was made under.
    expect(await page.getByRole('radio', { name: 'Personalise on this device' }).isChecked()).toBe(true);
    await page.getByText(`You chose under notice ${version}.`).waitFor();

    // The dashboard's radios, by keyboard: arrow to the next level, which is applied at once.
    await page.getByRole('radio', { name: 'Personalise on this device' }).focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => call(page, 'state').then((s) => s.consent)).toBe('contribute');
    expect(await focused(page)).toMatchObject({ host: 'fedrec-privacy' });
    expect(errors).toEqual([]);
  });

  it('in Arabic: right to left (computed direction rtl, the first choice on the right), chosen with Space', async () => {
    const { page, errors } = await open('ar');
    await page.setViewportSize({ width: 1280, height: 900 });
    const banner = page.locator('fedrec-consent');
    expect(await banner.evaluate((element) => getComputedStyle(element).direction)).toBe('rtl');
    expect(await page.locator('fedrec-privacy').evaluate((element) => getComputedStyle(element).direction)).toBe('rtl');
    expect(await page.getByRole('region', { name: 'كيف يمكن لهذا المتجر استخدام ما تفعله هنا؟' }).isVisible()).toBe(true);
    const boxes = await Promise.all(['off', 'local', 'contribute'].map(async (level) => (await page.locator(`fedrec-consent button[data-consent="${level}"]`).boundingBox())!));
    const regionBox = (await page.locator('fedrec-consent section').boundingBox())!;
    // Inline start is the right: the first choice is rightmost, and its right edge lines up with the banner's content edge.
    expect(boxes[0]!.x).toBeGreaterThan(boxes[1]!.x);
    expect(boxes[1]!.x).toBeGreaterThan(boxes[2]!.x);
    expect(regionBox.x + regionBox.width - (boxes[0]!.x + boxes[0]!.width)).toBeLessThan(40);
    // The heading starts at the right too.
    const heading = (await page.locator('fedrec-consent h2').boundingBox())!;
    expect(regionBox.x + regionBox.width - (heading.x + heading.width)).toBeLessThan(40);
    // In the dashboard, “Delete my data” sits at the inline start (right) of its row.
    const panel = (await page.locator('fedrec-privacy section').boundingBox())!;
    const forget = (await page.getByRole('button', { name: 'احذف بياناتي' }).boundingBox())!;
    expect(forget.x).toBeGreaterThan(panel.x + panel.width / 2);

    await page.locator('fedrec-consent button[data-consent="local"]').focus();
    await page.keyboard.press('Space');
    await banner.waitFor({ state: 'hidden' });
    expect(await focused(page)).toMatchObject({ host: null, id: 'shop-title' });
    expect(await call(page, 'state')).toMatchObject({ consent: 'local', consentChosen: true });
    expect(errors).toEqual([]);
  });

  it('in English, left to right: the first choice on the left', async () => {
    const { page, errors } = await open('en');
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await page.locator('fedrec-consent').evaluate((element) => getComputedStyle(element).direction)).toBe('ltr');
    const off = (await page.locator('fedrec-consent button[data-consent="off"]').boundingBox())!;
    const contribute = (await page.locator('fedrec-consent button[data-consent="contribute"]').boundingBox())!;
    expect(off.x).toBeLessThan(contribute.x);
    expect(errors).toEqual([]);
  });

  for (const lang of ['en', 'ar'] as const) {
    it(`axe-core finds no violations in ${lang}: the banner open, then the dashboard with a history`, async () => {
      const { page, errors } = await open(lang);
      await page.locator('fedrec-privacy [data-fact="consent"]').waitFor();
      await page.locator('fedrec-consent details summary').click(); // the notice's lines open too
      expect(await axeViolations(page)).toEqual([]);
      await page.locator('fedrec-consent button[data-consent="local"]').click();
      await page.locator('fedrec-consent').waitFor({ state: 'hidden' });
      for (const item of [1, 2]) expect(await call(page, 'track', item)).toBe(true);
      await page.locator('fedrec-privacy [data-fact="activity"]', { hasText: '2' }).waitFor();
      await page.locator('fedrec-privacy details summary').click();
      await page.getByRole('button', { name: lang === 'en' ? 'Delete my data' : 'احذف بياناتي' }).click();
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    });
  }

  it('“Delete my data” asks once more, then empties IndexedDB; the banner asks again and focus stays on the delete button', async () => {
    const { page, errors } = await open('en');
    await page.getByRole('button', { name: 'Personalise on this device' }).click();
    for (const item of [3, 4]) expect(await call(page, 'track', item)).toBe(true);
    await page.locator('fedrec-privacy [data-fact="activity"]', { hasText: /^2 events/ }).waitFor();
    expect((await call(page, 'stored')).events).toHaveLength(2);
    await page.getByRole('button', { name: 'Delete my data' }).click();
    expect(await focused(page)).toMatchObject({ host: 'fedrec-privacy', id: 'forget-yes' });
    await page.keyboard.press('Enter');
    await page.getByText('Deleted. Nothing about you is stored in this browser now.').waitFor();
    expect(await call(page, 'stored')).toEqual({ events: [], records: [] });
    expect(await call(page, 'state')).toMatchObject({ consent: 'off', consentChosen: false, consentNeeded: true });
    expect(await page.getByRole('region', { name: 'How may this shop use what you do here?' }).isVisible()).toBe(true);
    expect(await focused(page)).toMatchObject({ host: 'fedrec-privacy', id: 'forget' });
    await page.locator('fedrec-privacy [data-fact="activity"]', { hasText: 'none' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('asks again when the server restarts with another privacy notice: the banner says why, the dashboard says contributions are paused', async () => {
    // A server of its own, restarted on the same address with another ε.
    const modelDir = await resources.tempDir('fedrec-components-notice-');
    const options = (targetEpsilon: number, port: number) => ({
      modelDir,
      port,
      privacy: { targetEpsilon, delta: 1e-5, clipNorm: 0.5, noiseMultiplier: 1.2 },
      rounds: { minClients: 1000, sampling: { kind: 'poisson' as const, rate: 0.05 } },
    });
    const before = await startServer(resources, options(3, 0));
    const { host, port } = before.address!;
    const own = await openBundledSite(ENTRY, 'componentsPage', { plugins: [tfjsCoreOnly, zodEnglishOnly], proxyTo: { host, port } });
    resources.add(() => own.close());
    const { page, errors } = await own.openTab();
    const version = await page.evaluate((s) => (globalThis as unknown as { componentsPage: ComponentsPage }).componentsPage.open('en', s), 'fedrec-components-notice');
    const connected = nextServerEvent(before, 'clientConnected');
    await page.getByRole('button', { name: 'Personalise and help improve' }).click();
    await connected;
    await page.locator('fedrec-consent').waitFor({ state: 'hidden' });

    await before.close();
    const after = await startServer(resources, options(4, port));
    // The client reconnects for rounds, reads the new notice, and asks again.
    const banner = page.getByRole('region', { name: 'How may this shop use what you do here?' });
    await banner.waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('fedrec-consent #renew').waitFor();
    expect(await page.locator('fedrec-consent #renew').textContent()).toMatch(/privacy notice has changed since you chose/);
    await page.locator('fedrec-consent summary', { hasText: /privacy notice [0-9a-f]{16}/ }).waitFor();
    expect(await page.locator('fedrec-consent summary').textContent()).not.toContain(version);
    expect(await call(page, 'state')).toMatchObject({ consent: 'contribute', consentChosen: true, consentNeeded: true, noticeVersion: version });
    await page.locator('fedrec-privacy #training-status', { hasText: 'Paused' }).waitFor();
    // It left rounds (the disconnect reaches the server a moment later).
    await expect.poll(() => after.status().clients.connected).toBe(0);

    // Chosen again: under the new notice, and the device connects again.
    const reconnected = nextServerEvent(after, 'clientConnected');
    await page.getByRole('button', { name: 'Personalise and help improve' }).click();
    await reconnected;
    const renewed = await call(page, 'state');
    expect(renewed).toMatchObject({ consentNeeded: false });
    expect(renewed.noticeVersion).not.toBe(version);
    expect(errors).toEqual([]);
  });

  it('follows the other tabs of the shop: a choice in one hides the banner in the other, a deletion shows it again', async () => {
    const first = await open('en');
    const second = await open('en', first.store);
    const otherBanner = second.page.getByRole('region', { name: 'How may this shop use what you do here?' });
    expect(await otherBanner.isVisible()).toBe(true);
    await first.page.getByRole('button', { name: 'Personalise and help improve' }).click();
    await second.page.locator('fedrec-consent').waitFor({ state: 'hidden' });
    await second.page.getByRole('radio', { name: 'Personalise and help improve' }).waitFor();
    await expect.poll(() => second.page.getByRole('radio', { name: 'Personalise and help improve' }).isChecked()).toBe(true);
    await first.page.getByRole('button', { name: 'Delete my data' }).click();
    await first.page.getByRole('button', { name: 'Yes, delete everything' }).click();
    await otherBanner.waitFor({ state: 'visible' });
    expect([...first.errors, ...second.errors]).toEqual([]);
  });
});
