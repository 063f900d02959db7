/**
 * Issue #17's cluster benchmarks in one run: the simulation cluster
 * (cluster-simulation.ts: worker processes through Redis against worker
 * threads) and then the server cluster (cluster-server.ts: 1, 2 and 3 node
 * processes and the coordinator's serial cost), each in a child process of
 * its own, one after the other so that they do not compete for the cores.
 * Their output is passed through; the last line of stdout is one JSON
 * object holding both parts' figures and each goal of the issue, met or
 * not:
 * - `clusterOverhead`: the simulation cluster costs ≤ 15% over in-process
 *   worker threads at equal cores;
 * - `coordinatorShare`: the coordinator's serial work per round is ≤ 5% of
 *   a round at 100 nodes, by the scaled projection from this run's rounds
 *   (which are far shorter than real ones: `breakEvenRoundMs` says from
 *   which round length it is met).
 *
 *   npm run bench:cluster [-- --redis redis://HOST:PORT] [either part's flags]
 *
 * Every flag goes to both parts; each reads its own and ignores the rest
 * (`npm run bench:cluster:simulation` and `npm run bench:cluster:server`
 * run one part alone).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const OVERHEAD_GOAL_PCT = 15;
const SERIAL_SHARE_GOAL = 0.05;

/** Runs one part's script, echoing its output, and returns the JSON object on its last line of stdout. */
async function runPart(script: string, nodeFlags: readonly string[]): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [...nodeFlags, '--conditions=source', '--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...argv], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let last = '';
  createInterface({ input: child.stdout }).on('line', (line) => {
    console.log(line);
    if (line.trim() !== '') last = line;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`${script}: its last line of stdout is not JSON: ${last.slice(0, 200)}`);
  }
}

const num = (value: unknown, what: string): number => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`expected a number for ${what}, got ${JSON.stringify(value)}`);
  return value;
};

console.log('## simulation cluster (cluster-simulation.ts)');
const simulation = await runPart('cluster-simulation.ts', ['--single-threaded-gc']);
console.log('## server cluster (cluster-server.ts)');
const server = await runPart('cluster-server.ts', ['--single-threaded-gc']);

const overheadPct = num(simulation.clusterOverheadPct, 'simulation.clusterOverheadPct');
const serverGoal = server.goal as { coordinatorShareAt100?: unknown } | undefined;
const share = num(serverGoal?.coordinatorShareAt100, 'server.goal.coordinatorShareAt100');
const breakEvenRoundMs = num(server.breakEvenRoundMs, 'server.breakEvenRoundMs');
const goals = {
  clusterOverhead: { valuePct: overheadPct, limitPct: OVERHEAD_GOAL_PCT, met: overheadPct <= OVERHEAD_GOAL_PCT },
  coordinatorShare: { nodes: 100, value: share, limit: SERIAL_SHARE_GOAL, met: share <= SERIAL_SHARE_GOAL, breakEvenRoundMs },
};
console.log(
  `# goals: cluster overhead ${overheadPct.toFixed(1)}% (≤ ${OVERHEAD_GOAL_PCT}%: ${goals.clusterOverhead.met ? 'met' : 'unmet'}); ` +
    `coordinator at 100 nodes ${(100 * share).toFixed(1)}% of this run's rounds (≤ 5%: ${goals.coordinatorShare.met ? 'met' : 'unmet'}; met for rounds ≥ ${(breakEvenRoundMs / 1000).toFixed(2)} s)`,
);
console.log(JSON.stringify({ simulation, server, goals }));
