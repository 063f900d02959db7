/**
 * Screenshots of the demo for the README, at desktop and phone width, into
 * `screenshots/`. Drives Debian's chromium (`/usr/bin/chromium`) with
 * playwright-core; never downloads a browser.
 *
 *   npx tsx --conditions=source examples/web-shop/take-screenshots.ts
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../test/web/browser.js';
import { SHOP_ROOT } from './server/build-assets.js';
import { startDemo } from './server/start-demo.js';

const OUT = join(SHOP_ROOT, 'screenshots');

async function ready(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true');
}

async function click(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name }).first().click();
}

/** A visit: first look (banner), then some shopping, a round, and the results. */
async function visit(browser: Browser, url: string, name: 'desktop' | 'phone'): Promise<void> {
  const phone = name === 'phone';
  // Reduced motion: scrolling jumps instead of animating, so a screenshot never catches it half-way.
  const context = await browser.newContext({
    reducedMotion: 'reduce',
    ...(phone ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } : { viewport: { width: 1280, height: 860 } }),
  });
  const page = await context.newPage();
  await ready(page, url);
  await page.screenshot({ path: join(OUT, `${name}-first-visit.png`) });

  await click(page, 'Personalise on this device');
  for (const label of ['View Turntable', 'Buy Studio headphones', 'Add Bookshelf speakers to cart', 'View Trail backpack']) await click(page, label);
  await page.locator('[data-fact="activity"]', { hasText: /^4 events/ }).waitFor();
  await page.getByRole('radio', { name: 'Personalise and help improve' }).check();
  await page.locator('#updates tbody tr:not(:has(.empty))').first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('#recs-list')?.getAttribute('data-personalised') === 'true');
  await page.evaluate(() => {
    document.getElementById('status')!.textContent = '';
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path: join(OUT, `${name}-recommendations.png`) });
  if (phone) {
    await page.evaluate(() => document.getElementById('privacy')!.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(OUT, 'phone-privacy.png') });
    // The table is inside <fedrec-privacy>'s shadow root.
    await page.evaluate(() => document.querySelector('fedrec-privacy')!.shadowRoot!.getElementById('updates')!.scrollIntoView({ block: 'start' }));
    await page.evaluate(() => window.scrollBy(0, -60));
    await page.screenshot({ path: join(OUT, 'phone-updates-and-delete.png') });
  }
  await context.close();
}

await mkdir(OUT, { recursive: true });
const browser = await launchChromium();
try {
  // A fresh shop per visit, so each gets its own first round.
  for (const name of ['desktop', 'phone'] as const) {
    const demo = await startDemo({ port: 0, roundCooldownMs: 600_000, logLevel: 'silent' });
    try {
      await visit(browser, demo.url, name);
    } finally {
      await demo.close();
    }
  }
  console.log(`screenshots in ${OUT}`);
} finally {
  await browser.close();
}
