/**
 * Builds the ESM browser bundle of @fedrec/client: the platform-neutral API
 * (`createClient`, `createMemoryStore`, the transport…) plus the browser edge
 * (`createIndexedDbStore`, `selectBrowserBackend`), with tfjs, socket.io-client
 * and @fedrec/core inlined, usable from `<script type="module">`:
 *
 *   import { createClient, createIndexedDbStore } from '/vendor/fedrec-client.js';
 *
 * The tfjs wasm binaries are not inlined: serve
 * `node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm` and pass their URL
 * prefix to `selectBrowserBackend({ wasmPaths })`.
 *
 *   npx tsx scripts/build-client-bundle.ts [outfile]   # default packages/client/dist/browser/fedrec-client.js
 */
import { build, type Plugin } from 'esbuild';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const DEFAULT_BUNDLE_PATH = join(root, 'packages/client/dist/browser/fedrec-client.js');

/** Points `@tensorflow/tfjs` at `tfjs-browser-shim.ts`: tfjs-core and two backends instead of the whole umbrella. */
export const tfjsCoreOnly: Plugin = {
  name: 'tfjs-core-only',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs$/ }, () => ({ path: join(root, 'scripts/tfjs-browser-shim.ts') }));
  },
};

/** Points zod's all-locales namespace at `zod-locales-en-only.ts`. */
export const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: join(root, 'scripts/zod-locales-en-only.ts') } : undefined,
    );
  },
};

export interface BundleReport {
  readonly outfile: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface BundleOptions {
  readonly outfile?: string;
  /** Default true; false keeps names readable for debugging. */
  readonly minify?: boolean;
}

/** Builds the bundle (and a source map beside it) and reports its size. */
export async function buildClientBundle(options: BundleOptions = {}): Promise<BundleReport> {
  const outfile = options.outfile ?? DEFAULT_BUNDLE_PATH;
  await mkdir(dirname(outfile), { recursive: true });
  const result = await build({
    stdin: {
      contents: ["export * from './packages/client/src/index.ts';", "export * from './packages/client/src/browser/index.ts';"].join('\n'),
      resolveDir: root,
      sourcefile: 'fedrec-client-browser.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    // Sibling packages from their TypeScript sources (the `source` export condition), so no prior `tsc` build is needed.
    conditions: ['source'],
    minify: options.minify ?? true,
    sourcemap: 'linked',
    legalComments: 'linked',
    outfile,
    write: false,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [tfjsCoreOnly, zodEnglishOnly],
  });
  for (const file of result.outputFiles) await writeFile(file.path, file.contents);
  const bundle = result.outputFiles.find((file) => file.path === resolve(outfile));
  if (bundle === undefined) throw new Error(`esbuild produced no ${outfile}`);
  return { outfile, bytes: (await stat(outfile)).size, gzipBytes: gzipSync(bundle.contents).byteLength };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await buildClientBundle({ outfile: process.argv[2] !== undefined ? resolve(process.argv[2]) : DEFAULT_BUNDLE_PATH });
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`${report.outfile}: ${kib(report.bytes)} minified, ${kib(report.gzipBytes)} gzipped`);
}
