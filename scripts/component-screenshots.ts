/**
 * Screenshots of `<fedrec-consent>` and `<fedrec-privacy>` in English and
 * Arabic, for packages/client/README.md: the page `test/web/components-page.ts`
 * (the same one the components' tests drive) over a real FedRec server, in
 * Debian's chromium (`/usr/bin/chromium`, playwright-core; never a
 * downloaded browser). Writes small PNGs to packages/client/docs/.
 *
 *   npx tsx --conditions=source scripts/component-screenshots.ts
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from '@fedrec/server';
import { tfjsCoreOnly, zodEnglishOnly } from './build-client-bundle.js';
import { openBundledSite } from '../test/web/browser.js';
import type { ComponentsPage } from '../test/web/components-page.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'packages/client/docs');

const modelDir = join(await import('node:os').then((os) => os.tmpdir()), `fedrec-component-shots-${process.pid}`);
const server = createServer({
  host: '127.0.0.1',
  port: 0,
  modelDir,
  model: { numItems: 20, dim: 3 },
  privacy: { targetEpsilon: 3, delta: 1e-5, clipNorm: 0.5, noiseMultiplier: 1.2 },
  rounds: { minClients: 1000, sampling: { kind: 'poisson', rate: 0.05 } },
  privacyNotice: { operator: 'Moss & Kettle', contact: 'privacy@moss-and-kettle.example' },
  logLevel: 'silent',
});
const address = await server.listen();
const site = await openBundledSite("import './test/web/components-page.ts';", 'componentsPage', { plugins: [tfjsCoreOnly, zodEnglishOnly], proxyTo: { host: address.host, port: address.port } });
try {
  await mkdir(OUT, { recursive: true });
  for (const lang of ['en', 'ar'] as const) {
    const { page } = await site.openTab();
    await page.setViewportSize({ width: 720, height: 1400 });
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const call = (name: keyof ComponentsPage, ...args: unknown[]): Promise<unknown> =>
      page.evaluate(([n, a]) => (globalThis as unknown as { componentsPage: Record<string, (...x: unknown[]) => unknown> }).componentsPage[n as string]!(...(a as unknown[])), [name, args] as const);
    const version = (await call('open', lang, `fedrec-shots-${lang}`)) as string;
    await page.locator('fedrec-consent summary', { hasText: version }).waitFor();
    await page.locator('fedrec-consent details summary').click();
    await page.locator('fedrec-consent').screenshot({ path: join(OUT, `consent-${lang}.png`) });
    await page.locator('fedrec-consent button[data-consent="local"]').click();
    await page.locator('fedrec-consent').waitFor({ state: 'hidden' });
    for (const item of [1, 2, 3]) await call('track', item);
    await page.locator('fedrec-privacy [data-fact="activity"]', { hasText: /3/ }).waitFor();
    await page.locator('fedrec-privacy').screenshot({ path: join(OUT, `privacy-${lang}.png`) });
    await page.close();
  }
  for (const name of ['consent-en', 'consent-ar', 'privacy-en', 'privacy-ar']) {
    const { size } = await stat(join(OUT, `${name}.png`));
    console.log(`packages/client/docs/${name}.png: ${(size / 1024).toFixed(1)} KiB`);
  }
} finally {
  await site.close();
  await server.close();
  await import('node:fs/promises').then((fs) => fs.rm(modelDir, { recursive: true, force: true }));
}
