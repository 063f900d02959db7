/**
 * The package graph, read from the code rather than from a diagram: which
 * @fedrec package each package declares and which it actually imports, checked
 * against the one direction dependencies may point
 * (core ← secagg ← client, server ← sim ← cli).
 *
 *   npm run -s graph:packages            # prints the graph, exits 1 on a violation
 *   npm run -s graph:packages -- --json  # the same as one JSON object
 *
 * test/architecture/package-graph.test.ts runs the same check in CI.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every package, lowest layer first, with the packages it may depend on. A
 * package missing from a list may never be imported by it, not even lazily.
 */
export const ALLOWED_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  '@fedrec/core': [],
  '@fedrec/secagg': ['@fedrec/core'],
  '@fedrec/client': ['@fedrec/core', '@fedrec/secagg'],
  '@fedrec/server': ['@fedrec/core', '@fedrec/secagg'],
  '@fedrec/sim': ['@fedrec/core', '@fedrec/secagg', '@fedrec/client', '@fedrec/server'],
  '@fedrec/cli': ['@fedrec/core', '@fedrec/secagg', '@fedrec/client', '@fedrec/server', '@fedrec/sim'],
};

export interface PackageNode {
  readonly name: string;
  readonly dir: string;
  /** @fedrec packages in `dependencies`, `optionalDependencies` or `peerDependencies`. */
  readonly declared: readonly string[];
  /** @fedrec packages named by an import in a non-test source file, with the first file that does. */
  readonly imported: Readonly<Record<string, string>>;
}

export interface GraphReport {
  readonly packages: readonly PackageNode[];
  readonly violations: readonly string[];
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](@fedrec\/[a-z-]+)(?:\/[^'"]*)?['"]/g;

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test-support' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Reads every workspace package under `packages/` and checks its declared and imported @fedrec dependencies. */
export function readPackageGraph(root: string): GraphReport {
  const packagesDir = join(root, 'packages');
  const packages: PackageNode[] = [];
  const violations: string[] = [];
  for (const entry of readdirSync(packagesDir).sort()) {
    const manifestPath = join(packagesDir, entry, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    const declared = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies })
      .filter((name) => name.startsWith('@fedrec/'))
      .sort();
    const imported: Record<string, string> = {};
    for (const file of sourceFiles(join(packagesDir, entry, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const name = match[1]!;
        if (name !== manifest.name && imported[name] === undefined) imported[name] = relative(root, file);
      }
    }
    const allowed = ALLOWED_DEPENDENCIES[manifest.name];
    if (allowed === undefined) {
      violations.push(`${manifest.name} is not in ALLOWED_DEPENDENCIES (scripts/package-graph.ts): say which layer it belongs to`);
    } else {
      for (const name of declared) {
        if (!allowed.includes(name)) violations.push(`${manifest.name} declares ${name}, which it may not depend on`);
      }
      for (const [name, file] of Object.entries(imported)) {
        if (!allowed.includes(name)) violations.push(`${manifest.name} imports ${name} (${file}), which it may not depend on`);
        else if (!declared.includes(name)) violations.push(`${manifest.name} imports ${name} (${file}) without declaring it in package.json`);
      }
    }
    packages.push({ name: manifest.name, dir: relative(root, join(packagesDir, entry)), declared, imported });
  }
  return { packages, violations };
}

function main(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const report = readPackageGraph(root);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ packages: report.packages.map(({ name, declared }) => ({ name, dependsOn: declared })), violations: report.violations }));
  } else {
    const order = Object.keys(ALLOWED_DEPENDENCIES);
    const sorted = [...report.packages].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    for (const { name, declared } of sorted) console.log(`${name.padEnd(16)} ← ${declared.length === 0 ? '(nothing)' : declared.join(', ')}`);
    for (const violation of report.violations) console.log(`VIOLATION: ${violation}`);
  }
  if (report.violations.length > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
