import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readPackageGraph } from '../../scripts/package-graph.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the package graph', () => {
  it('points one way: every package imports only lower layers, and declares what it imports', () => {
    const report = readPackageGraph(ROOT);
    expect(report.violations).toEqual([]);
    const byName = Object.fromEntries(report.packages.map((p) => [p.name, p.declared]));
    expect(byName['@fedrec/core']).toEqual([]);
    expect(Object.keys(byName).sort()).toEqual(expect.arrayContaining(['@fedrec/core', '@fedrec/client', '@fedrec/server', '@fedrec/sim', '@fedrec/cli']));
  });

  describe('on a made-up repository', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    const write = (path: string, text: string): void => {
      mkdirSync(join(dir!, path, '..'), { recursive: true });
      writeFileSync(join(dir!, path), text);
    };

    it('reports core importing the server, and a package importing what it does not declare', () => {
      dir = mkdtempSync(join(tmpdir(), 'fedrec-graph-'));
      write('packages/core/package.json', JSON.stringify({ name: '@fedrec/core' }));
      write('packages/core/src/model.ts', "import { createServer } from '@fedrec/server';\n");
      write('packages/server/package.json', JSON.stringify({ name: '@fedrec/server', dependencies: {} }));
      write('packages/server/src/rounds.ts', "const secagg = await import('@fedrec/secagg');\nimport type { X } from '@fedrec/core/protocol';\n");
      // Test files and test support may use anything.
      write('packages/server/src/rounds.test.ts', "import { simulate } from '@fedrec/sim';\n");
      const { violations } = readPackageGraph(dir);
      expect(violations).toEqual([
        '@fedrec/core imports @fedrec/server (packages/core/src/model.ts), which it may not depend on',
        '@fedrec/server imports @fedrec/secagg (packages/server/src/rounds.ts) without declaring it in package.json',
        '@fedrec/server imports @fedrec/core (packages/server/src/rounds.ts) without declaring it in package.json',
      ]);
    });
  });
});

describe('imports within each package', () => {
  it('have no cycles (scripts/import-cycles.mjs, which exits 1 on one)', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/import-cycles.mjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stdout).not.toMatch(/^cycle in/m);
    expect(run.status).toBe(0);
    for (const name of ['core', 'secagg', 'client', 'server', 'sim', 'cli']) expect(run.stdout).toMatch(new RegExp(`^packages/${name}: \\d+ files, no import cycle$`, 'm'));
  });
});
