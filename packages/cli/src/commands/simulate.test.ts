import { describe, it, expect, vi, afterEach } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { epsilonForMechanisms } from '@fedrec/core/privacy';
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
    expect(Object.keys(summary).sort()).toEqual(['accountant', 'clients', 'coverage', 'delta', 'epsilon', 'hr10', 'hr10Full', 'items', 'model', 'ndcg10', 'ndcg10Full', 'rounds', 'wallSeconds'].sort());
    expect(summary.model).toBe('mf');
    expect(summary.accountant).toBe('rdp');
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
    // The plan's explanation tells a flag the user gave from a default commander filled in.
    const sourceOf = (field: string) => (saved.settings.explanation as { field: string; source: string }[]).find((v) => v.field === field)?.source;
    expect([sourceOf('rounds'), sourceOf('dim'), sourceOf('privacy.delta'), sourceOf('serverLearningRate')]).toEqual(['chosen', 'chosen', 'default', 'derived']);
    await rm(dir, { recursive: true });
  });

  it('runs the on-device recommender: its only release is the private popularity, whose ε it reports', async () => {
    const { out, err } = capture();
    const code = await main(['simulate', '--algorithm', 'on-device', '--population', 'synthetic:300', '--items', '200', '--epsilon', '0.5', '--eval-shoppers', '50', '--json']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const summary = JSON.parse(out[0]!);
    expect(summary.model).toBe('on-device');
    expect(summary.rounds).toBe(0);
    // Calibrated to the target within the calibration's tolerance, never above it.
    expect(summary.epsilon).toBeLessThanOrEqual(0.5);
    expect(summary.epsilon).toBeGreaterThan(0.499);
    expect(err.join('')).toMatch(/private popularity prior \(k = 5 items a shopper, ε 0\.5\)/);
  });

  it('runs the hybrid model: the popularity release and the rounds in one ε, the JSON says "hybrid"', async () => {
    const { out, err } = capture();
    const code = await main(['simulate', '--algorithm', 'hybrid', '--population', 'synthetic:400', '--items', '100', '--rounds', '3', '--epsilon', '2', '--dim', '4', '--eval-shoppers', '50', '--backend', 'cpu', '--json']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const summary = JSON.parse(out[0]!);
    expect(summary.model).toBe('hybrid');
    expect(summary.rounds).toBe(3);
    expect(summary.epsilon).toBeLessThanOrEqual(2);
    expect(summary.epsilon).toBeGreaterThan(1.99);
    expect(err.join('')).toMatch(/hybrid model: \d+ catalogue attributes \+ 300 identity rows, private popularity prior \(0\.75 of ε\)/);
  });

  it.each([
    [['--algorithm', 'on-device', '--dataset', 'ml-100k:u.data'], /--algorithm on-device needs the catalogue of the dataset: give --catalogue/],
    [['--catalogue', 'csv:items.csv'], /--catalogue goes with --dataset/],
    [['--algorithm', 'hybrid', '--dataset', 'ml-100k:u.data'], /--algorithm hybrid needs the catalogue of the dataset: give --catalogue/],
    [['--algorithm', 'federated', '--dataset', 'ml-100k:u.data', '--catalogue', 'csv:items.csv'], /--catalogue is used by --algorithm hybrid and on-device only/],
    // A catalogue makes the hybrid the default, and the hybrid has no e2e mode or cluster.
    [['--dataset', 'ml-100k:u.data', '--catalogue', 'csv:items.csv', '--mode', 'e2e'], /--mode e2e runs the federated algorithm only/],
    [['--dataset', 'ml-100k:u.data', '--catalogue', 'csv:items.csv', '--cluster', 'redis://127.0.0.1:6379'], /--cluster runs the federated algorithm only/],
    [['--algorithm', 'on-device', '--dataset', 'ml-100k:u.data', '--catalogue', 'xml:items.xml'], /--catalogue: expected a catalogue kind of attributes-json, movielens, csv, got "xml"/],
  ])('refuses %j with a usage error', async (args, message) => {
    const { err } = capture();
    const code = await main(['simulate', ...args]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(err.join('')).toMatch(message);
  });

  it('--accountant pld: the JSON names it, and ε is below RDP\'s for the same rounds and noise', async () => {
    const { out } = capture();
    const code = await main(['simulate', '--population', 'synthetic:200', '--items', '40', '--rounds', '3', '--q', '0.2', '--noise', '1', '--dim', '4', '--eval-shoppers', '20', '--backend', 'cpu', '--accountant', 'pld', '--json']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const summary = JSON.parse(out[0]!);
    expect(summary.accountant).toBe('pld');
    const rdp = epsilonForMechanisms({ mechanisms: [{ samplingRate: 0.2, noiseMultiplier: 1, steps: 3 }], delta: summary.delta }).epsilon;
    expect(summary.epsilon).toBeLessThan(rdp);
    expect(summary.epsilon).toBeGreaterThan(0);
  }, 120_000);

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
    [['--accountant', 'moments'], /--accountant: expected one of rdp, pld, got 'moments'/],
    [['--no-such-flag'], /unknown option/],
    [['--algorithm', 'magic'], /--algorithm: expected one of federated, hybrid, central, popularity, on-device/],
    [['--mode', 'slow'], /--mode: expected one of fast, e2e/],
    [['--clients', '5'], /--clients applies to --mode e2e only/],
    [['--dataset', 'parquet:/x'], /--dataset/],
    [['--population', 'synthetic:10', '--dataset', 'tsv:/x'], /alternatives/],
    [['--server-lr', 'fast'], /--server-lr: expected a number, got 'fast'/],
    [['--denoise', '-1'], /--denoise/],
    [['--population', 'synthetic:50', '--cohort', '60'], /--cohort: expected a value <= 50, got 60/],
  ])('exits with code 2 and a clear message for %j', async (args, message) => {
    const { err } = capture();
    const code = await main(['simulate', ...args]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(err.join('')).toMatch(message);
  });

  it.each(['federated', 'central', 'popularity'])('runs --algorithm %s on a dataset file with the same JSON shape', async (algorithm) => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-data-'));
    const file = join(dir, 'events.tsv');
    // 60 users, each with a block of 8 items out of 120: learnable structure.
    const lines = ['user\titem\ttimestamp\tevent'];
    for (let u = 0; u < 60; u++) for (let k = 0; k < 8; k++) lines.push(`u${u}\ti${(u % 6) * 20 + ((u + k * 3) % 20)}\t${1_700_000_000 + k * 60}\t${k % 3 === 2 ? 'purchase' : 'view'}`);
    await writeFile(file, lines.join('\n'));
    const { out } = capture();
    const code = await main(['simulate', '--dataset', `tsv:${file}`, '--algorithm', algorithm, '--rounds', '2', '--dim', '8', '--central-epochs', '1', '--eval-shoppers', '60', '--backend', 'cpu', '--json']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const summary = JSON.parse(out[0]!);
    expect(summary.clients).toBe(60);
    expect(summary.items).toBeLessThanOrEqual(120);
    expect(summary.hr10).toBeGreaterThanOrEqual(0);
    expect(summary.epsilon === null).toBe(algorithm !== 'federated');
    await rm(dir, { recursive: true });
  });

  it('with --catalogue and no --algorithm runs the hybrid model, and its plan says the algorithm is the default for a catalogue', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-catalogue-'));
    const file = join(dir, 'events.tsv');
    const lines = ['user\titem\ttimestamp\tevent'];
    for (let u = 0; u < 60; u++) for (let k = 0; k < 8; k++) lines.push(`u${u}\ti${(u % 6) * 20 + ((u + k * 3) % 20)}\t${1_700_000_000 + k * 60}\tview`);
    await writeFile(file, lines.join('\n'));
    // Each block of 20 items shares a category: the catalogue the hybrid builds its items from.
    await writeFile(join(dir, 'items.csv'), ['item,attributes', ...Array.from({ length: 120 }, (_, i) => `i${i},category:${Math.floor(i / 20)}`)].join('\n'));
    const { out, err } = capture();
    const code = await main(['simulate', '--dataset', `tsv:${file}`, '--catalogue', `csv:${join(dir, 'items.csv')}`, '--rounds', '2', '--dim', '4', '--eval-shoppers', '60', '--backend', 'cpu', '--out', dir, '--json']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const summary = JSON.parse(out[0]!);
    expect(summary.model).toBe('hybrid');
    expect(summary.rounds).toBe(2);
    // The hybrid's default budget, the popularity release and the rounds together.
    expect(summary.epsilon).toBeLessThanOrEqual(1);
    expect(summary.epsilon).toBeGreaterThan(0.99);
    expect(err.join('')).toMatch(/hybrid model: 6 catalogue attributes \+ 300 identity rows/);
    const saved = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
    expect((saved.settings.explanation as { field: string }[]).find((v) => v.field === 'algorithm')).toEqual({ field: 'algorithm', value: 'hybrid', source: 'default', why: 'a catalogue is given: the hybrid model, built from it' });
    await rm(dir, { recursive: true });
  });

  it('names the file and line of a garbled dataset, and exits 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-bad-'));
    const file = join(dir, 'u.data');
    await writeFile(file, '1\t2\t5\t881250949\n1\tnot-a-line\n');
    const { err } = capture();
    const code = await main(['simulate', '--dataset', `ml-100k:${file}`, '--backend', 'cpu']);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(err.join('')).toContain(`${file}:2`);
    const missing = capture();
    expect(await main(['simulate', '--dataset', `ml-100k:${join(dir, 'absent')}`, '--backend', 'cpu'])).toBe(2);
    vi.restoreAllMocks();
    expect(missing.err.join('')).toContain(join(dir, 'absent'));
    await rm(dir, { recursive: true });
  });

  it('runs --mode e2e with real socket.io clients and reports the same JSON shape', async () => {
    const { out, err } = capture();
    const code = await main(['simulate', '--mode', 'e2e', '--population', 'synthetic:60', '--items', '100', '--rounds', '2', '--q', '0.5', '--dim', '8', '--eval-shoppers', '60', '--backend', 'cpu', '--json']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    const summary = JSON.parse(out[0]!);
    expect(summary.rounds).toBe(2);
    expect(summary.clients).toBe(60);
    expect(summary.epsilon).toBeGreaterThan(0);
    expect(err.join('')).toMatch(/end to end with 60 socket\.io clients/);
  });

  it('prints help for simulate and exits 0', async () => {
    const { out } = capture();
    const code = await main(['simulate', '--help']);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/--population <spec>/);
    expect(out.join('').replace(/\s+/g, ' ')).toMatch(/Default: hybrid with --catalogue, else federated/);
  });
});
