import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { relaunchOptions } from './launch.js';
import { SIMULATION_NODE_OPTIONS } from './simulation-node-options.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = fileURLToPath(new URL('./bin.ts', import.meta.url));

/** `fedrec <args>` from the sources in a process of its own, as a terminal would start it (without the simulation options). */
function runBin(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('relaunchOptions', () => {
  it('asks simulate for the options it lacks, keeping the ones it was started with', () => {
    expect(relaunchOptions(['simulate', '--json'], ['--conditions=source'])).toEqual([...SIMULATION_NODE_OPTIONS, '--conditions=source']);
    expect(relaunchOptions(['simulate'], [...SIMULATION_NODE_OPTIONS])).toBeUndefined();
  });

  it('asks worker for them too: a cluster worker runs the same client updates, one process per core', () => {
    expect(relaunchOptions(['worker', '--cluster', 'redis://127.0.0.1:6379'], [])).toEqual([...SIMULATION_NODE_OPTIONS]);
    expect(relaunchOptions(['worker'], [...SIMULATION_NODE_OPTIONS])).toBeUndefined();
  });

  it('leaves every other command in the process it started in', () => {
    for (const command of ['server', 'privacy', '--help', 'simulatex']) expect(relaunchOptions([command], [])).toBeUndefined();
    expect(relaunchOptions([], [])).toBeUndefined();
  });
});

describe('fedrec launcher', () => {
  it('runs simulate under its node options, with the output and exit code of the run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-launch-'));
    try {
      const { code, stdout } = await runBin(['simulate', '--population', 'synthetic:200', '--items', '40', '--rounds', '1', '--dim', '4', '--eval-shoppers', '20', '--backend', 'cpu', '--threads', '1', '--out', dir, '--json']);
      expect(code).toBe(0);
      const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { rounds: number };
      expect(summary.rounds).toBe(1);
      const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as { settings: { nodeOptions: string[] } };
      expect(results.settings.nodeOptions).toEqual([...SIMULATION_NODE_OPTIONS]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('passes on a failing run’s exit code and message', async () => {
    const { code, stderr } = await runBin(['simulate', '--rounds', '0']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--rounds/);
  }, 60_000);
});
