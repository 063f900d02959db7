import { build, type Plugin } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClientBundle, type BundleReport } from '../../../scripts/build-client-bundle.js';

const here = dirname(fileURLToPath(import.meta.url));
export const SHOP_ROOT = join(here, '..');
export const ASSET_DIR = join(SHOP_ROOT, 'dist');

/**
 * The page imports `@fedrec/client` and `@fedrec/client/browser`; in the
 * browser both are the one ESM bundle at `/vendor/fedrec-client.js`, loaded
 * by `<script type="module">` like any other module — the page's own code is
 * bundled without it. `@fedrec/client/components` (the consent banner and
 * the privacy dashboard) imports only types and the consent levels from the
 * client, so it is bundled with the page's script.
 */
const clientFromVendor: Plugin = {
  name: 'fedrec-client-from-vendor',
  setup(build) {
    build.onResolve({ filter: /^@fedrec\/client(\/browser)?$/ }, () => ({ path: '/vendor/fedrec-client.js', external: true }));
  },
};

export interface ShopAssets {
  readonly client: BundleReport;
  readonly appBytes: number;
}

let built: Promise<ShopAssets> | null = null;

/** Builds the client bundle and the page's script into `dist/` (once per process). */
export function buildShopAssets(): Promise<ShopAssets> {
  built ??= (async () => {
    const client = await buildClientBundle({ outfile: join(ASSET_DIR, 'vendor/fedrec-client.js') });
    const app = await build({
      entryPoints: [join(SHOP_ROOT, 'src/app.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022'],
      minify: true,
      sourcemap: 'linked',
      outfile: join(ASSET_DIR, 'app.js'),
      // `@fedrec/client/components` is bundled into the page's script, from its TypeScript sources.
      conditions: ['source'],
      plugins: [clientFromVendor],
      logLevel: 'warning',
      metafile: true,
    });
    const appBytes = Object.entries(app.metafile.outputs).find(([path]) => path.endsWith('app.js'))?.[1].bytes ?? 0;
    return { client, appBytes };
  })();
  built.catch(() => {
    built = null;
  });
  return built;
}
