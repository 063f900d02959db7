import { describe, it, expect, vi, afterEach } from 'vitest';
import { main } from '../program.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  return { out, err };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { out, err } = capture();
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, out: out.join(''), err: err.join('') };
}

describe('fedrec worker', () => {
  afterEach(() => vi.restoreAllMocks());

  it('--help names the Redis URL, the prefix, the claim timeout, and how to start workers', async () => {
    const { code, out } = await run(['worker', '--help']);
    expect(code).toBe(0);
    for (const text of ['--cluster <url>', '--cluster-prefix <prefix>', '--claim-idle <ms>', '--json', 'fedrec simulate --cluster redis://10.0.0.5:6379', 'Exit codes']) expect(out).toContain(text);
  });

  it('exits 1 with the address and the reason when Redis is unreachable, rather than waiting', async () => {
    const { code, err } = await run(['worker', '--cluster', 'redis://127.0.0.1:1', '--backend', 'cpu']);
    expect(code).toBe(1);
    expect(err).toMatch(/^fedrec: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/m);
  });

  it.each([
    [['worker'], /required option '--cluster <url>' not specified/],
    [['worker', '--cluster', 'redis://127.0.0.1:6379', '--claim-idle', '0'], /--claim-idle: expected a value >= 1, got 0/],
    [['simulate', '--cluster', 'redis://127.0.0.1:6379', '--threads', '2'], /--threads and --cluster are alternatives/],
    [['simulate', '--cluster', 'http://127.0.0.1:6379'], /--cluster: expected redis:\/\/HOST:PORT, got 'http:\/\/127\.0\.0\.1:6379'/],
    [['simulate', '--cluster-prefix', 'p'], /--cluster-prefix goes with --cluster/],
    [['simulate', '--cluster', 'redis://127.0.0.1:6379', '--mode', 'e2e'], /--cluster runs the fast mode only/],
    [['simulate', '--cluster', 'redis://127.0.0.1:6379', '--algorithm', 'popularity'], /--cluster runs the federated algorithm only/],
  ])('%j is a usage error (exit 2) that says why', async (args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it('fedrec simulate --cluster with Redis unreachable exits 1 with the address', async () => {
    const { code, err } = await run(['simulate', '--population', 'synthetic:50', '--items', '20', '--rounds', '1', '--dim', '4', '--backend', 'cpu', '--cluster', 'redis://127.0.0.1:1']);
    expect(code).toBe(1);
    expect(err).toMatch(/^fedrec: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/m);
  });
});
