import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, type Plugin } from 'esbuild';
import { proxyRequest, proxyUpgrade } from '../../examples/web-shop/server/reverse-proxy.js';

/**
 * Debian's chromium, never a downloaded browser. Headless, no GPU, and none
 * of the background traffic (updates, sync, QUIC) that would muddy a wire
 * audit. Install with `apt-get install -y chromium`.
 */
export const CHROMIUM_PATH = process.env['FEDREC_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's (apt-get update && apt-get install -y chromium) or set FEDREC_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Fails the test with the page's own errors, which playwright would otherwise swallow. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

export interface StaticSite {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a few in-memory files on 127.0.0.1 (IndexedDB needs a real origin,
 * not about:blank). With `proxyTo`, every other path and every WebSocket
 * upgrade goes to that server, as the demo shop does: the page then reaches
 * a FedRec server (`/model`, `/enrol`, socket.io) on its own origin.
 */
export async function serveFiles(
  files: Record<string, { readonly type: string; readonly body: string | Uint8Array }>,
  proxyTo?: { readonly host: string; readonly port: number },
): Promise<StaticSite> {
  const server: Server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://site.invalid').pathname];
    if (file === undefined) {
      if (proxyTo !== undefined) proxyRequest(proxyTo, req, res);
      else res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  if (proxyTo !== undefined) server.on('upgrade', (req, socket, head: Buffer) => proxyUpgrade(proxyTo, req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface BundledPage {
  readonly browser: Browser;
  readonly site: StaticSite;
  readonly page: Page;
  /** Errors the page has raised so far (console errors and uncaught exceptions). */
  readonly errors: string[];
  close(): Promise<void>;
}

/**
 * Bundles `entry` (TypeScript source, imports relative to the repo root)
 * with esbuild for the browser, serves it in a blank page, opens that page
 * in Chromium and waits until the bundle has defined `globalThis[ready]`.
 */
export async function openBundledPage(entry: string, ready: string, plugins: Plugin[] = []): Promise<BundledPage> {
  const site = await serveBundle(entry, ready, plugins);
  const browser = await launchChromium();
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  await page.goto(site.url);
  await page.waitForFunction((name) => typeof (globalThis as Record<string, unknown>)[name] === 'function', ready);
  return {
    browser,
    site,
    page,
    errors,
    close: async () => {
      await browser.close();
      await site.close();
    },
  };
}

/** Bundles `entry` and serves it as the only script of `/` (see `openBundledPage`). */
async function serveBundle(entry: string, ready: string, plugins: Plugin[], proxyTo?: { readonly host: string; readonly port: number }): Promise<StaticSite> {
  const bundle = await build({
    stdin: { contents: entry, resolveDir: new URL('../..', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['source'],
    write: false,
    plugins,
    logLevel: 'error',
  });
  return serveFiles(
    {
      '/': { type: 'text/html', body: `<!doctype html><link rel="icon" href="data:,"><title>${ready}</title><script type="module" src="/bundle.js"></script>` },
      '/bundle.js': { type: 'text/javascript', body: bundle.outputFiles[0]!.contents },
    },
    proxyTo,
  );
}

export interface BundledTab {
  readonly page: Page;
  /** Errors this page has raised so far. */
  readonly errors: string[];
}

export interface BundledSite {
  readonly browser: Browser;
  /** One browser profile: every tab shares its origin's IndexedDB, Web Locks and BroadcastChannels. */
  readonly context: BrowserContext;
  readonly site: StaticSite;
  /** Opens another tab on the site and waits until the bundle has defined `globalThis[ready]`. */
  openTab(): Promise<BundledTab>;
  close(): Promise<void>;
}

/**
 * Like `openBundledPage`, for several tabs of one browser profile: the
 * bundle is served on one origin (with everything else forwarded to
 * `proxyTo`, e.g. a FedRec server), and `openTab()` opens as many pages of
 * it as a test needs, all in one browser context.
 */
export async function openBundledSite(entry: string, ready: string, options: { readonly plugins?: Plugin[]; readonly proxyTo?: { readonly host: string; readonly port: number } } = {}): Promise<BundledSite> {
  const site = await serveBundle(entry, ready, options.plugins ?? [], options.proxyTo);
  const browser = await launchChromium();
  const context = await browser.newContext();
  return {
    browser,
    context,
    site,
    async openTab() {
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(site.url);
      await page.waitForFunction((name) => (globalThis as Record<string, unknown>)[name] !== undefined, ready);
      return { page, errors };
    },
    close: async () => {
      await browser.close();
      await site.close();
    },
  };
}
