/**
 * Node 20's node:crypto can deadlock the main thread when a garbage collection
 * starts inside a JWK export of a key it has just generated (issue 13, point
 * 8; the mechanism is in packages/secagg/src/node-secagg-crypto.ts). A
 * deadlocked process never returns, so the stress runs in a child process
 * (fixtures/node-crypto-gc-stress.ts) under a watchdog: the child must finish
 * and report, or it is killed and the test fails. The work takes a few
 * seconds; the bound is generous because only a deadlock ever reaches it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/node-crypto-gc-stress.ts', import.meta.url));
const WATCHDOG_MS = 60_000;
// The old code hung within 130 iterations in every run; each takes ~1–2 ms.
const ITERATIONS = 1000;

interface StressRun {
  readonly finished: boolean;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The fixture in a child process; killed (finished: false) if it has not exited after WATCHDOG_MS. */
function runStress(iterations: number): Promise<StressRun> {
  return new Promise((resolve, reject) => {
    // A 1 MiB young generation keeps each aimed collection cheap (see the fixture).
    const child = spawn(process.execPath, ['--max-semi-space-size=1', '--conditions=source', '--import', 'tsx', FIXTURE, String(iterations)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let finished = true;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // SIGKILL: a thread blocked on a mutex never runs a signal handler.
    const watchdog = setTimeout(() => {
      finished = false;
      child.kill('SIGKILL');
    }, WATCHDOG_MS);
    child.once('error', (error) => {
      clearTimeout(watchdog);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(watchdog);
      resolve({ finished, code, stdout, stderr });
    });
  });
}

describe('nodeSecAggCrypto under aimed garbage collections', () => {
  it('generates key pairs and derives public keys without deadlocking, and the bytes agree', async () => {
    const run = await runStress(ITERATIONS);
    const context = `stderr: ${run.stderr.slice(-2000)}`;
    expect(run.finished, `the child was still running after ${WATCHDOG_MS / 1000} s (deadlocked?); ${context}`).toBe(true);
    expect(run.code, context).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ event: 'done', iterations: ITERATIONS, mismatches: 0 });
  }, WATCHDOG_MS + 30_000);
});
