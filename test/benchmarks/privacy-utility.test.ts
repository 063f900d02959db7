import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BENCHMARKS = fileURLToPath(new URL('../../benchmarks', import.meta.url));

/** `npm run bench:privacy-utility -- …args`, as the script runs it (TypeScript sources, no build). */
function bench(args: readonly string[]) {
  return spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', 'privacy-utility.ts', ...args], { cwd: BENCHMARKS, encoding: 'utf8' });
}

interface Row {
  population: string;
  algorithm: string;
  epsilon: number | null;
  epsilonSpent: number | null;
  hr10: number;
}

describe('bench:privacy-utility', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'fedrec-privacy-utility-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('measures the private popularity at each finite ε and the central hybrid once, into its table, CSV, JSON and plot', async () => {
    const run = bench(['--only', 'synthetic', '--synthetic-shoppers', '400', '--eval-shoppers', '60', '--seeds', '1', '--epsilons', '0.5,2,inf', '--algorithms', 'popularity,private-popularity,central-hybrid', '--out', out]);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const rows = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as Row[];
    expect(rows.map((r) => [r.population, r.algorithm, r.epsilon])).toEqual([
      ['synthetic-0.4k', 'popularity', null],
      ['synthetic-0.4k', 'central-hybrid', null],
      // At ε = ∞ the release is the exact counts: the popularity row, not measured twice.
      ['synthetic-0.4k', 'private-popularity', 0.5],
      ['synthetic-0.4k', 'private-popularity', 2],
    ]);
    // The release spends all of its ε, and no more.
    for (const r of rows.filter((r) => r.algorithm === 'private-popularity')) {
      expect(r.epsilonSpent).toBeLessThanOrEqual(r.epsilon!);
      expect(r.epsilonSpent).toBeGreaterThan(r.epsilon! * 0.999);
    }
    expect(rows.find((r) => r.algorithm === 'central-hybrid')!.epsilonSpent).toBeNull();
    const table = await readFile(join(out, 'table.md'), 'utf8');
    expect(table).toMatch(/\| synthetic-0\.4k \| central-hybrid \| – \|/);
    expect(table).toMatch(/\| synthetic-0\.4k \| private-popularity \| 0\.5 \|/);
    expect((await readFile(join(out, 'results.csv'), 'utf8')).trim().split('\n')).toHaveLength(5);
    expect(await readFile(join(out, 'privacy-utility.svg'), 'utf8')).toMatch(/central hybrid \(no privacy\)/);
  }, 180_000);

  it.each([
    [['--algorithms', 'popularity,magic'], /--algorithms: unexpected value 'magic'/],
    [['--epsilons', '1,-2'], /--epsilons: unexpected value '-2'/],
    [['--synthetic-shoppers', 'many'], /--synthetic-shoppers: expected a positive integer, got 'many'/],
  ])('refuses %j, naming the flag, before measuring anything', (args, message) => {
    const run = bench([...args, '--out', out]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(message);
  });
});
