import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { catalogueToJson } from '@fedrec/core/catalogue';
import { CheckpointStore, createServer, type FedRecServer } from '@fedrec/server';
import { CATALOGUE } from '../catalogue.js';
import { ASSET_DIR, SHOP_ROOT, buildShopAssets, type ShopAssets } from './build-assets.js';
import { fedrecCatalogue } from './fedrec-catalogue.js';
import { proxyRequest, proxyUpgrade } from './reverse-proxy.js';
import { catalogueSeedModel } from './seed-model.js';

export interface DemoOptions {
  /** Where the shop listens. Default 127.0.0.1:8080; port 0 picks a free one. */
  readonly host?: string;
  readonly port?: number;
  /** Pause between training rounds. Default 20 s, so a page that contributes joins a round every ~20 s. */
  readonly roundCooldownMs?: number;
  /** How long a round waits for updates. Default 20 s. */
  readonly roundTimeoutMs?: number;
  /** The aggregation server's pino level. Default `warn`. */
  readonly logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** Further files to serve, by URL path to file (the React example's page and script), under the same headers. */
  readonly extraRoutes?: Readonly<Record<string, string>>;
}

export interface RunningDemo {
  /** The shop's URL (static pages, and the aggregation server behind the same origin). */
  readonly url: string;
  readonly fedrec: FedRecServer;
  readonly assets: ShopAssets;
  close(): Promise<void>;
}

/** The model: one embedding direction per category (6) plus two free ones. */
export const DEMO_DIM = 8;

/**
 * The demo's DP settings: every device clips its update to L2 norm 0.5 and
 * adds N(0, (2 · 0.5)²) to every coordinate itself (`local`), the server
 * stops at ε = 60 (δ = 1e-5) and, with so few devices, takes small steps
 * (η = 0.05) so that one device's noise cannot wreck the catalogue's structure.
 */
const PRIVACY = { targetEpsilon: 60, delta: 1e-5, clipNorm: 0.5, noiseMultiplier: 2, placement: 'local' as const };

const requireHere = createRequire(import.meta.url);
const WASM_DIR = dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm'));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Every file the shop serves, by URL path: nothing else on disk is reachable. */
function staticRoutes(): Map<string, string> {
  const routes = new Map<string, string>([
    ['/', join(SHOP_ROOT, 'public/index.html')],
    ['/styles.css', join(SHOP_ROOT, 'public/styles.css')],
    ['/app.js', join(ASSET_DIR, 'app.js')],
    ['/app.js.map', join(ASSET_DIR, 'app.js.map')],
    ['/vendor/fedrec-client.js', join(ASSET_DIR, 'vendor/fedrec-client.js')],
    ['/vendor/fedrec-client.js.map', join(ASSET_DIR, 'vendor/fedrec-client.js.map')],
    ['/vendor/fedrec-client.js.LEGAL.txt', join(ASSET_DIR, 'vendor/fedrec-client.js.LEGAL.txt')],
  ]);
  for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    routes.set(`/vendor/tfjs-wasm/${name}`, join(WASM_DIR, name));
  }
  return routes;
}

/**
 * No third party is ever contacted: scripts, styles, wasm and sockets all
 * come from this origin ('wasm-unsafe-eval' lets tfjs compile its wasm).
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

const PROXIED = new Set(['/model', '/catalogue', '/privacy-notice', '/enrol', '/status']);

/**
 * Starts the demo shop: the aggregation server (`createServer` from
 * `@fedrec/server`, open enrolment, DP rounds) on a private port, and in
 * front of it one HTTP server that serves the shop, the client bundle and
 * the tfjs wasm files, and forwards `/model`, `/catalogue` (the products'
 * categories and brands, for the on-device recommender), `/privacy-notice`
 * (what the server collects and promises, from its configuration), `/enrol`, `/status`
 * and socket.io to the aggregation server.
 *
 * @example
 * const demo = await startDemo({ port: 0 });
 * console.log(`open ${demo.url}`);
 * await demo.close();
 */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const assets = await buildShopAssets();
  const modelDir = await mkdtemp(join(tmpdir(), 'fedrec-web-shop-'));
  const dim = DEMO_DIM;
  // The aggregation server resumes from the newest checkpoint: give it the catalogue-seeded model as version 0.
  const store = new CheckpointStore(modelDir, 3);
  await store.init();
  await store.write({
    model: catalogueSeedModel(CATALOGUE, dim),
    optimiser: { kind: 'fedavg', step: 0, arrays: {} },
    lastRoundId: null,
    nextRoundId: 1,
    privacyLedger: null,
    createdAt: new Date().toISOString(),
  });
  // The public catalogue the aggregation server serves (GET /catalogue), checked by it against the model's rows at start.
  const catalogueFile = join(modelDir, 'catalogue.json');
  await writeFile(catalogueFile, JSON.stringify(catalogueToJson(fedrecCatalogue(CATALOGUE))));
  const fedrec = createServer({
    host: '127.0.0.1',
    port: 0,
    modelDir,
    model: { numItems: CATALOGUE.products.length, dim },
    catalogueFile,
    rounds: {
      minClients: 1,
      sampling: { kind: 'poisson', rate: 1 },
      minUpdates: 1,
      timeoutMs: options.roundTimeoutMs ?? 20_000,
      cooldownMs: options.roundCooldownMs ?? 20_000,
    },
    optimiser: { kind: 'fedavg', learningRate: 0.05 },
    privacy: PRIVACY,
    auth: { enrolment: 'open' },
    privacyNotice: { operator: 'Moss & Kettle (a demo shop)', contact: 'privacy@moss-and-kettle.example' },
    logLevel: options.logLevel ?? 'warn',
  });
  const backend = await fedrec.listen();
  const target = { host: backend.host, port: backend.port };
  const routes = staticRoutes();
  for (const [path, file] of Object.entries(options.extraRoutes ?? {})) routes.set(path, file);
  const catalogueJson = JSON.stringify(CATALOGUE);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://shop.invalid').pathname;
    if (PROXIED.has(path) || path.startsWith('/socket.io/')) return proxyRequest(target, req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/catalogue.json') {
      res.writeHead(200, { 'content-type': CONTENT_TYPES['.json']!, 'cache-control': 'no-cache', ...SECURITY_HEADERS }).end(catalogueJson);
      return;
    }
    const file = routes.get(path);
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('not found');
      return;
    }
    try {
      const body = await readFile(file);
      const type = CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, 'content-length': body.byteLength, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('could not read a file');
    }
  };

  const http = createHttpServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://shop.invalid').pathname;
    if (path.startsWith('/socket.io/')) proxyUpgrade(target, req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    fedrec,
    assets,
    async close() {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await fedrec.close();
      await closed;
      await rm(modelDir, { recursive: true, force: true });
    },
  };
}
