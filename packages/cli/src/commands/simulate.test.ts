import { describe, it, expect, vi, afterEach } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../program.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  return { out, err };
}

describe('fedrec simulate', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs a real small simulation, prints one JSON object with the documented keys, and writes results', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-sim-'));
    const { out, err } = capture();
    const code = await main(['simulate', '--population', 'synthetic:400', '--items', '60', '--rounds', '3', '--q', '0.2', '--dim', '8', '--eval-shoppers', '50', '--eval-every', '2', '--backend', 'cpu', '--out', dir, '--json']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const summary = JSON.parse(out[0]!);
    expect(Object.keys(summary).sort()).toEqual(['clients', 'coverage', 'delta', 'epsilon', 'hr10', 'hr10Full', 'items', 'ndcg10', 'ndcg10Full', 'rounds', 'wallSeconds'].sort());
    expect(summary.rounds).toBe(3);
    expect(summary.clients).toBe(400);
    expect(summary.epsilon).toBeGreaterThan(0);
    expect(summary.hr10).toBeGreaterThan(0);
    const log = err.join('');
    expect(log).toMatch(/tfjs backend: cpu \(forced\)/);
    expect(log).toMatch(/round +3\/3 .*HR@10 \d\.\d{4}.*ε \d+\.\d{3}/);
    const csv = (await readFile(join(dir, 'rounds.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv[0]).toMatch(/^round,cohort,clip_norm/);
    expect(csv[1]!.split(',')[6]).toBe(''); // round 1 was not evaluated
    expect(Number(csv[2]!.split(',')[6])).toBeGreaterThan(0);
    const saved = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
    expect(saved.summary).toEqual(summary);
    expect(saved.settings.rounds).toBe(3);
    await rm(dir, { recursive: true });
  });

  it('reports ε as null when run without noise', async () => {
    const { out } = capture();
    const code = await main(['simulate', '--population', 'synthetic:200', '--items', '40', '--rounds', '1', '--epsilon', 'inf', '--dim', '4', '--eval-shoppers', '20', '--backend', 'cpu', '--json']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    expect(JSON.parse(out[0]!).epsilon).toBeNull();
  });

  it.each([
    [['--q', '1.5'], /--q: expected a value <= 1/],
    [['--q', 'abc'], /--q: expected a number, got 'abc'/],
    [['--rounds', '2.5'], /--rounds: expected an integer/],
    [['--population', 'people:5'], /--population: expected synthetic:N/],
    [['--noise', '1', '--epsilon', '2'], /alternatives/],
    [['--delta', '1'], /--delta/],
    [['--placement', 'nowhere'], /--placement: expected one of distributed, local/],
    [['--no-such-flag'], /unknown option/],
  ])('exits with code 2 and a clear message for %j', async (args, message) => {
    const { err } = capture();
    const code = await main(['simulate', ...args]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(err.join('')).toMatch(message);
  });

  it('prints help for simulate and exits 0', async () => {
    const { out } = capture();
    const code = await main(['simulate', '--help']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/--population <spec>/);
  });
});
