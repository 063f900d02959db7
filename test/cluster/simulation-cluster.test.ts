import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { runFederatedSimulation, SyntheticPopulation } from '@fedrec/sim';
import type { FederatedSimulationConfig, SimulationResult } from '@fedrec/sim';
import { useCpuBackend } from '../../packages/sim/src/test-support/small-simulation.js';
import { useRedisPrefix, TEST_REDIS_URL } from '../../packages/sim/src/test-support/redis-prefix.js';
import { WorkerProcess, BIN, NODE_FLAGS, ROOT } from './worker-process.js';

useCpuBackend();

/**
 * The simulation on `fedrec worker` processes through a real Redis gives the
 * in-process run's numbers bit for bit — with two workers, and when one of
 * them is killed while it holds a chunk.
 */
describe('simulation cluster (real Redis, real worker processes)', () => {
  const redis = useRedisPrefix();
  const workers: WorkerProcess[] = [];
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
  });

  const config = (rounds: number): FederatedSimulationConfig => ({
    population: new SyntheticPopulation({ shoppers: 2_000, items: 200, seed: 'cluster' }),
    dim: 16,
    rounds,
    samplingRate: 0.2,
    privacy: { clipNorm: 0.5, noiseMultiplier: 1, delta: 1e-5, placement: 'distributed', adaptiveClipping: { targetQuantile: 0.5 } },
    serverLearningRate: 20,
    evalShoppers: 100,
    evalEvery: rounds,
    seed: 11,
  });

  /** Everything a run reports but its timings. */
  const numbers = (r: SimulationResult) => ({
    model: Buffer.from(r.model.values.buffer, r.model.values.byteOffset, r.model.values.byteLength).toString('base64'),
    modelVersion: r.model.version,
    evaluation: r.evaluation,
    epsilon: r.epsilon,
    noiseMultiplier: r.noiseMultiplier,
    privacyLedger: r.privacyLedger,
    clientUpdates: r.clientUpdates,
    rounds: r.rounds.map(({ elapsedSeconds: _elapsed, ...report }) => report),
  });

  it('2 worker processes give the in-process model, metrics and ε bit for bit, and so does `fedrec simulate --cluster`', async () => {
    workers.push(await WorkerProcess.start(TEST_REDIS_URL, redis.prefix), await WorkerProcess.start(TEST_REDIS_URL, redis.prefix));
    const local = await runFederatedSimulation(config(4));
    const clustered = await runFederatedSimulation({ ...config(4), cluster: { url: TEST_REDIS_URL, prefix: redis.prefix } });
    expect(numbers(clustered)).toEqual(numbers(local));
    expect(clustered.threads).toBe(2); // both workers were seen reading chunks

    const flags = ['--population', 'synthetic:600', '--items', '80', '--rounds', '3', '--q', '0.3', '--dim', '8', '--eval-shoppers', '60', '--backend', 'cpu', '--json'];
    const [threaded, viaCluster] = await Promise.all([cli([...flags, '--threads', '1']), cli([...flags, '--cluster', TEST_REDIS_URL, '--cluster-prefix', redis.prefix])]);
    expect(viaCluster.code).toBe(0);
    expect(threaded.code).toBe(0);
    const summary = (out: string) => ({ ...(JSON.parse(out) as Record<string, unknown>), wallSeconds: undefined });
    expect(summary(viaCluster.stdout)).toEqual(summary(threaded.stdout));
    expect(viaCluster.stderr).toMatch(/simulating synthetic:600 on the workers of redis:\/\/127\.0\.0\.1:6379/);
    expect(viaCluster.stderr).toMatch(/round +3\/3 .* workers 2$/m);
    for (const w of workers) expect(await w.stop()).toBe(0);
    // Each left the group on SIGTERM, having answered every chunk it took.
    expect(workers.map((w) => w.events.at(-1)?.type)).toEqual(['stopped', 'stopped']);
  });

  it('a worker SIGKILLed while it holds a chunk: the other claims the chunk, and the numbers do not change', async () => {
    const local = await runFederatedSimulation(config(8));
    const [victim, survivor] = [await WorkerProcess.start(TEST_REDIS_URL, redis.prefix, ['--claim-idle', '1000']), await WorkerProcess.start(TEST_REDIS_URL, redis.prefix, ['--claim-idle', '1000'])];
    workers.push(victim!, survivor!);
    const run = runFederatedSimulation({ ...config(8), cluster: { url: TEST_REDIS_URL, prefix: redis.prefix } });
    let finished = false;
    void run.finally(() => (finished = true)).catch(() => {});
    await victim!.next('job');
    // Stopped, a worker cannot answer or acknowledge: if it holds a chunk now, it dies holding it.
    let killed = false;
    while (!killed && !finished) {
      victim!.child.kill('SIGSTOP');
      const pending = await redis.client.xPending(`${redis.prefix}:chunks`, 'workers');
      if (pending.consumers?.some((c) => String(c.name) === victim!.name && Number(c.deliveriesCounter) > 0)) {
        victim!.child.kill('SIGKILL');
        killed = true;
      } else {
        victim!.child.kill('SIGCONT');
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    expect(killed).toBe(true);
    const clustered = await run;
    expect(numbers(clustered)).toEqual(numbers(local));
    expect(survivor!.events.filter((e) => e.type === 'claimed').length).toBeGreaterThanOrEqual(1);
  });
});

/** `fedrec simulate …` in a child process: exit code and output. */
async function cli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, BIN, 'simulate', ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}
