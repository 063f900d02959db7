/**
 * Packs @fedrec/core, @fedrec/secagg and @fedrec/client as npm would publish
 * them (`npm pack`, whose `prepack` builds each one), installs the tarballs
 * into a scratch app in a temporary directory, and checks what a shop's web
 * developer would get (issue #16, point 5):
 *
 * - every tarball carries README.md and LICENSE, and every file an `exports`
 *   or `imports` target names (the `source` condition included);
 * - the app, bundled with esbuild for the browser (ESM, code splitting),
 *   loads at most BUDGET_KIB gzipped of JavaScript on the default backend
 *   (wasm): the entry, the chunks it imports statically, and the wasm
 *   backend's chunks. The .wasm binaries are not counted. The other
 *   backends (cpu, WebGL), socket.io-client (loaded when the shopper first
 *   contributes to training) and secure aggregation are separate chunks,
 *   loaded only when used; with socket.io-client and in total are reported
 *   beside;
 * - the default page bundles nothing of `@fedrec/client/components` (the
 *   consent banner and privacy dashboard, issue #16 point 8), whose own
 *   size, bundled alone, is reported beside;
 * - a small TypeScript consumer (of the components too) type-checks under `moduleResolution`
 *   bundler, nodenext and node (node10).
 *
 * The last line of stdout is one JSON object with the figures. Exits 1 if a
 * check fails or the bundle is over budget.
 *
 *   npx tsx scripts/package-client.ts [--keep]   # --keep leaves the scratch app in place
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['core', 'secagg', 'client'] as const;
/** The goal for the client's JavaScript on the default backend, gzipped. */
export const BUDGET_KIB = 150;

const failures: string[] = [];
const fail = (message: string): void => {
  failures.push(message);
  console.error(`FAIL ${message}`);
};

function run(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

const keep = process.argv.includes('--keep');
const work = await mkdtemp(join(tmpdir(), 'fedrec-package-'));
try {
  // 1. Pack (each package's prepack builds it; core first, since the others compile against its dist).
  const tarballs: Record<string, string> = {};
  for (const name of PACKAGES) {
    const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work, '-w', `packages/${name}`], root)) as { filename: string; files: { path: string }[] }[];
    const packed = out[0]!;
    tarballs[name] = join(work, packed.filename);
    const files = new Set(packed.files.map((f) => f.path));
    for (const required of ['README.md', 'LICENSE', 'package.json']) if (!files.has(required)) fail(`@fedrec/${name}: the tarball has no ${required}`);
    const manifest = JSON.parse(await readFile(join(root, 'packages', name, 'package.json'), 'utf8')) as { exports?: unknown; imports?: unknown };
    for (const target of targets([manifest.exports, manifest.imports])) {
      if (!files.has(target.replace(/^\.\//, ''))) fail(`@fedrec/${name}: package.json names ${target}, which the tarball does not hold`);
    }
    if ([...files].some((f) => f.endsWith('.test.ts') || f.endsWith('.test.js'))) fail(`@fedrec/${name}: the tarball ships tests`);
  }

  // 2. A scratch app that depends on the tarballs only.
  const app = join(work, 'app');
  await mkdir(join(app, 'src'), { recursive: true });
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'scratch-shop', private: true, type: 'module', dependencies: Object.fromEntries(PACKAGES.map((n) => [`@fedrec/${n}`, `file:${tarballs[n]}`])) }, null, 2),
  );
  // No optional dependencies: tfjs-node would download libtensorflow, and a browser app has no use for it.
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', '--ignore-scripts', '--loglevel=error'], app);

  await writeFile(
    join(app, 'src/shop.ts'),
    [
      "import { createClient, type ShopperClient } from '@fedrec/client';",
      "import { createIndexedDbStore, selectBrowserBackend, type BrowserBackendOptions } from '@fedrec/client/browser';",
      "import type { SharedModel } from '@fedrec/core/model';",
      '',
      "const options: BrowserBackendOptions = { wasmPaths: '/vendor/tfjs-wasm/' };",
      'export async function start(): Promise<ShopperClient> {',
      '  await selectBrowserBackend(options);',
      "  const shopper = await createClient({ serverUrl: location.origin, storage: createIndexedDbStore() });",
      "  await shopper.track({ item: 1, type: 'view' });",
      '  return shopper;',
      '}',
      'export type Model = SharedModel;',
      '',
    ].join('\n'),
  );

  // 3. The browser bundle.
  const outdir = join(app, 'out');
  const result = await build({
    entryPoints: [join(app, 'src/shop.ts')],
    absWorkingDir: app,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    outdir,
    write: false,
    metafile: true,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const gz = new Map(result.outputFiles.map((f) => [f.path, gzipSync(f.contents).byteLength]));
  const outputs = result.metafile.outputs;
  const abs = (path: string): string => resolve(app, path);
  const entry = Object.keys(outputs).find((p) => outputs[p]!.entryPoint !== undefined)!;
  const initial = staticClosure(outputs, [entry]);
  const wasmChunk = Object.keys(outputs).find((p) => outputs[p]!.entryPoint?.includes('tfjs-backend-wasm/') === true);
  if (wasmChunk === undefined) fail('the bundle has no separate chunk for the wasm backend');
  const onDefault = staticClosure(outputs, wasmChunk !== undefined ? [entry, wasmChunk] : [entry]);
  const sum = (paths: Iterable<string>): number => [...paths].reduce((total, p) => total + (gz.get(abs(p)) ?? 0), 0);
  const kib = (bytes: number): number => Math.round((bytes / 1024) * 10) / 10;
  const defaultKiB = kib(sum(onDefault));
  // socket.io-client loads when the shopper first contributes to training (consent `contribute`), not before.
  const socketChunk = Object.keys(outputs).find((p) => outputs[p]!.entryPoint?.includes('socket.io-client/') === true);
  if (socketChunk === undefined) fail('socket.io-client is not a separate chunk: a page that only recommends would load it');
  const contributingKiB = kib(sum(staticClosure(outputs, [...onDefault, ...(socketChunk !== undefined ? [socketChunk] : [])])));
  const totalKiB = kib(sum(Object.keys(outputs).filter((p) => p.endsWith('.js'))));
  console.log(`page start (entry and its static imports): ${kib(sum(initial))} KiB gzipped`);
  console.log(`on the default backend (+ wasm backend chunks): ${defaultKiB} KiB gzipped (budget ${BUDGET_KIB} KiB)`);
  console.log(`+ socket.io-client, once the shopper contributes to training: ${contributingKiB} KiB gzipped`);
  console.log(`every chunk (cpu, WebGL, secure aggregation too): ${totalKiB} KiB gzipped`);
  for (const [pkg, bytes] of byPackage(outputs, onDefault).slice(0, 8)) console.log(`  ${pkg}: ${kib(bytes)} KiB minified`);
  if (defaultKiB > BUDGET_KIB) fail(`the client's JavaScript on the default backend is ${defaultKiB} KiB gzipped, over the ${BUDGET_KIB} KiB budget`);
  // The consent banner and the privacy dashboard are their own entry point: a page that does not import them carries none of them.
  const componentInputs = Object.values(outputs).flatMap((o) => Object.keys(o.inputs)).filter((input) => input.includes('@fedrec/client/') && input.includes('/components/'));
  if (componentInputs.length > 0) fail(`the default page bundles @fedrec/client/components (${componentInputs[0]}), which it never imports`);
  await writeFile(join(app, 'src/components.ts'), ["import { defineFedRecComponents } from '@fedrec/client/components';", '', 'defineFedRecComponents();', ''].join('\n'));
  const components = await build({ entryPoints: [join(app, 'src/components.ts')], absWorkingDir: app, bundle: true, format: 'esm', platform: 'browser', target: ['es2022'], minify: true, write: false, logLevel: 'error' });
  const componentsKiB = kib(gzipSync(components.outputFiles[0]!.contents).byteLength);
  console.log(`@fedrec/client/components (<fedrec-consent>, <fedrec-privacy>), on its own: ${componentsKiB} KiB gzipped`);

  // 4. Types under the three module resolutions.
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const settings = {
    bundler: { module: 'ESNext', moduleResolution: 'Bundler' },
    nodenext: { module: 'NodeNext', moduleResolution: 'NodeNext' },
    node: { module: 'CommonJS', moduleResolution: 'Node' },
  } as const;
  const types: Record<string, boolean> = {};
  for (const [name, compilerOptions] of Object.entries(settings)) {
    const config = `tsconfig.${name}.json`;
    await writeFile(
      join(app, config),
      JSON.stringify({ compilerOptions: { ...compilerOptions, target: 'ES2022', lib: ['ES2023', 'DOM'], strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['src/shop.ts', 'src/components.ts'] }),
    );
    try {
      run(process.execPath, [tsc, '-p', config], app);
      types[name] = true;
      console.log(`types (moduleResolution ${name}): ok`);
    } catch (error) {
      types[name] = false;
      fail(`types do not check under moduleResolution ${name}:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
    }
  }

  console.log(JSON.stringify({ budgetKiB: BUDGET_KIB, defaultBackendKiB: defaultKiB, pageStartKiB: kib(sum(initial)), contributingKiB, allChunksKiB: totalKiB, componentsKiB, types, ok: failures.length === 0 }));
} finally {
  if (keep) console.error(`scratch app left in ${work}`);
  else await rm(work, { recursive: true, force: true });
}
process.exitCode = failures.length === 0 ? 0 : 1;

/** Every file path an `exports` or `imports` map names, whatever the condition. */
function targets(maps: readonly unknown[]): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') found.push(value);
    else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  maps.forEach(walk);
  return found.filter((t) => t.startsWith('./'));
}

/** The chunks `starts` load before running: themselves and their static imports, transitively. */
function staticClosure(outputs: Metafile['outputs'], starts: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of outputs[path]?.imports ?? []) if (imported.kind === 'import-statement') visit(imported.path);
  };
  starts.forEach(visit);
  return seen;
}

/** Minified bytes per npm package (or local path) across `chunks`, largest first. */
function byPackage(outputs: Metafile['outputs'], chunks: Set<string>): [string, number][] {
  const sizes = new Map<string, number>();
  for (const chunk of chunks) {
    for (const [input, { bytesInOutput }] of Object.entries(outputs[chunk]?.inputs ?? {})) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match?.[1] ?? input;
      sizes.set(key, (sizes.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}
