#!/usr/bin/env node
/**
 * Fails (exit 1) when a package's sources import themselves in a circle:
 * every relative import and re-export in packages/<name>/src/**\/*.ts,
 * `import type` included (a type-only cycle still couples the files, and
 * madge reports it too). Test files are skipped; imports of other packages
 * are not followed (each package is checked on its own, and the direction
 * between packages is eslint.config.js's job).
 *
 *   npm run check:cycles            # every package
 *   node scripts/import-cycles.mjs packages/secagg
 *
 * A regex over the sources instead of madge: no registry, no dependency.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packageDirs = process.argv.length > 2 ? process.argv.slice(2).map((dir) => resolve(dir)) : readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name));

// `import … from './x.js'`, `export … from './x.js'`, `import './x.js'`, `import('./x.js')`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** The .ts file a relative specifier names (NodeNext: `./x.js` is `./x.ts`), or undefined. */
function target(from, specifier, files) {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')]) if (files.has(candidate)) return candidate;
  return undefined;
}

function cyclesOf(files) {
  const graph = new Map();
  for (const file of files) {
    const edges = new Set();
    for (const match of withoutComments(readFileSync(file, 'utf8')).matchAll(SPECIFIER)) {
      const to = target(file, match[1], files);
      if (to !== undefined) edges.add(to);
    }
    graph.set(file, [...edges]);
  }
  // Depth-first search; a back edge to a file on the stack closes a cycle.
  const cycles = [];
  const state = new Map(); // 1: on the stack, 2: done
  const stack = [];
  const visit = (file) => {
    state.set(file, 1);
    stack.push(file);
    for (const next of graph.get(file)) {
      if (state.get(next) === 1) cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 2);
  };
  for (const file of [...graph.keys()].sort()) if (state.get(file) === undefined) visit(file);
  return cycles;
}

let found = 0;
for (const dir of packageDirs) {
  const src = join(dir, 'src');
  let files;
  try {
    files = new Set(sourceFiles(src));
  } catch {
    continue; // not a package with sources
  }
  const cycles = cyclesOf(files);
  found += cycles.length;
  for (const cycle of cycles) console.error(`cycle in ${relative(root, dir)}: ${cycle.map((file) => relative(src, file)).join(' > ')}`);
  if (cycles.length === 0) console.log(`${relative(root, dir)}: ${files.size} files, no import cycle`);
}
process.exit(found === 0 ? 0 : 1);
