import { build, type Plugin } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REACT_SHOP_ROOT = here;
export const REACT_ASSET_DIR = join(here, 'dist');

/**
 * Like the plain demo, the page loads FedRec from the shop's one client
 * bundle (`/vendor/fedrec-client.js`, built by the demo's server), so this
 * build holds only React and the shop's own code.
 */
const clientFromVendor: Plugin = {
  name: 'fedrec-client-from-vendor',
  setup(b) {
    b.onResolve({ filter: /^@fedrec\/client(\/browser)?$/ }, () => ({ path: '/vendor/fedrec-client.js', external: true }));
  },
};

/** Bundles `src/main.tsx` (React included, production build) into `dist/app.js`; returns its size in bytes. */
export async function buildReactShop(): Promise<number> {
  const result = await build({
    entryPoints: [join(here, 'src/main.tsx')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    // React's development build is 4× larger and warns in the console.
    define: { 'process.env.NODE_ENV': '"production"' },
    minify: true,
    sourcemap: 'linked',
    outfile: join(REACT_ASSET_DIR, 'app.js'),
    plugins: [clientFromVendor],
    logLevel: 'warning',
    metafile: true,
  });
  return Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('app.js'))?.[1].bytes ?? 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await buildReactShop();
  console.log(`built ${join(REACT_ASSET_DIR, 'app.js')} (${(bytes / 1024).toFixed(1)} KiB)`);
}
