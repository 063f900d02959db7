import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { SyntheticPopulation, runFederatedSimulation } from '@fedrec/sim';
import type { RoundReport, SimulationResult, NoisePlacement } from '@fedrec/sim';
import { selectNodeBackend } from '@fedrec/client/node';
import { UsageError } from '../usage-error.js';
import { parseNumber, parseChoice } from '../parse-options.js';
import { writeSimulationResults } from './simulation-results.js';
import { createRoundProgress } from './round-progress.js';

/** Defaults of the built-in job: ~20 s on a 2-core machine, ε ≈ 3.3 at δ = 1e-5. */
export const SIMULATE_DEFAULTS = {
  population: 'synthetic:10000',
  items: 500,
  rounds: 30,
  q: 0.03,
  noise: 0.8,
  delta: 1e-5,
  clip: 0.5,
  dim: 32,
  serverLr: 20,
  evalShoppers: 500,
  evalEvery: 5,
  seed: '1',
} as const;

export interface SimulateOptions {
  population: string;
  items: string;
  rounds: string;
  q?: string;
  cohort?: string;
  noise?: string;
  epsilon?: string;
  delta: string;
  clip: string;
  dim: string;
  serverLr: string;
  placement: string;
  adaptiveClip?: string;
  evalShoppers: string;
  evalEvery: string;
  seed: string;
  threads?: string;
  backend?: string;
  out?: string;
  json?: boolean;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run DP-FedAvg over a population of virtual shoppers and print accuracy (HR@10, NDCG@10) and privacy spent (ε)')
    .option('--population <spec>', 'synthetic:N — N virtual shoppers', SIMULATE_DEFAULTS.population)
    .option('--items <n>', 'catalogue size of a synthetic population', String(SIMULATE_DEFAULTS.items))
    .option('--rounds <n>', 'federated rounds', String(SIMULATE_DEFAULTS.rounds))
    .option('--q <rate>', `Poisson sampling rate: each shopper joins a round with this probability (default ${SIMULATE_DEFAULTS.q})`)
    .option('--cohort <n>', 'expected cohort size (sets q = n / population); alternative to --q')
    .option('--noise <z>', `noise multiplier z: noise std = z × clip (default ${SIMULATE_DEFAULTS.noise}; 0 = no DP)`)
    .option('--epsilon <e>', 'target ε for the whole run: calibrates z; alternative to --noise')
    .option('--delta <d>', 'δ of the (ε, δ) guarantee', String(SIMULATE_DEFAULTS.delta))
    .option('--clip <c>', 'L2 clip bound C on each update', String(SIMULATE_DEFAULTS.clip))
    .option('--dim <d>', 'embedding dimension', String(SIMULATE_DEFAULTS.dim))
    .option('--server-lr <eta>', 'server learning rate of FedAvg', String(SIMULATE_DEFAULTS.serverLr))
    .option('--placement <where>', 'noise placement: distributed (sum carries the noise, as with secure aggregation) | local', 'distributed')
    .option('--adaptive-clip <quantile>', 'adaptive clipping: C follows this quantile of update norms, starting from --clip')
    .option('--eval-shoppers <n>', 'shoppers in the evaluation sample', String(SIMULATE_DEFAULTS.evalShoppers))
    .option('--eval-every <n>', 'evaluate every n rounds', String(SIMULATE_DEFAULTS.evalEvery))
    .option('--seed <s>', 'seed: the same seed gives the same numbers', SIMULATE_DEFAULTS.seed)
    .option('--threads <n>', 'worker threads for client updates (default: one per core); results do not depend on it')
    .option('--backend <name>', 'tfjs backend: auto | tensorflow | wasm | cpu (default: $FEDREC_BACKEND or auto)')
    .option('--out <dir>', 'write results.json and a per-round rounds.csv into this directory')
    .option('--json', 'print one JSON object with the final results on stdout')
    .action(async (options: SimulateOptions) => {
      const result = await runSimulateCommand(options, (line) => process.stderr.write(`${line}\n`));
      if (options.json) process.stdout.write(`${JSON.stringify(result.summary)}\n`);
    });
}

export interface SimulateSummary {
  hr10: number;
  ndcg10: number;
  hr10Full: number;
  ndcg10Full: number;
  coverage: number;
  epsilon: number | null;
  delta: number;
  rounds: number;
  clients: number;
  items: number;
  wallSeconds: number;
}

export async function runSimulateCommand(options: SimulateOptions, log: (line: string) => void): Promise<{ result: SimulationResult; summary: SimulateSummary }> {
  const populationSize = parsePopulation(options.population);
  const items = parseNumber('--items', options.items, { min: 8, integer: true });
  const rounds = parseNumber('--rounds', options.rounds, { min: 1, integer: true });
  if (options.q !== undefined && options.cohort !== undefined) throw new UsageError('--q and --cohort are alternatives: give one');
  const samplingRate =
    options.cohort !== undefined
      ? parseNumber('--cohort', options.cohort, { min: 1, max: populationSize, integer: true }) / populationSize
      : parseNumber('--q', options.q ?? String(SIMULATE_DEFAULTS.q), { min: 0, max: 1, minExclusive: true });
  if (options.noise !== undefined && options.epsilon !== undefined) throw new UsageError('--noise and --epsilon are alternatives: give one');
  const epsilonArg = options.epsilon === undefined ? undefined : parseEpsilon(options.epsilon);
  // --epsilon inf asks for the non-private run: no noise at all.
  const targetEpsilon = epsilonArg !== undefined && Number.isFinite(epsilonArg) ? epsilonArg : undefined;
  const noiseMultiplier = epsilonArg === Infinity ? 0 : parseNumber('--noise', options.noise ?? String(SIMULATE_DEFAULTS.noise), { min: 0 });
  const delta = parseNumber('--delta', options.delta, { min: 0, max: 1, minExclusive: true });
  if (delta >= 1) throw new UsageError(`--delta: expected a value in (0, 1), got ${options.delta}`);
  const clipNorm = parseNumber('--clip', options.clip, { min: 0, minExclusive: true });
  const dim = parseNumber('--dim', options.dim, { min: 1, max: 1024, integer: true });
  const serverLearningRate = parseNumber('--server-lr', options.serverLr, { min: 0, minExclusive: true });
  const placement = parseChoice<NoisePlacement>('--placement', options.placement, ['distributed', 'local']);
  const adaptiveQuantile = options.adaptiveClip === undefined ? undefined : parseNumber('--adaptive-clip', options.adaptiveClip, { min: 0, max: 1, minExclusive: true });
  if (adaptiveQuantile === 1) throw new UsageError(`--adaptive-clip: expected a quantile in (0, 1), got ${options.adaptiveClip}`);
  const evalShoppers = parseNumber('--eval-shoppers', options.evalShoppers, { min: 1, integer: true });
  const evalEvery = parseNumber('--eval-every', options.evalEvery, { min: 1, integer: true });

  const threads = options.threads === undefined ? availableParallelism() : parseNumber('--threads', options.threads, { min: 1, max: 256, integer: true });

  await selectNodeBackend({ force: options.backend, log });
  const population = new SyntheticPopulation({ shoppers: populationSize, items, seed: options.seed });
  log(`simulating ${population.name} on ${threads} thread${threads === 1 ? '' : 's'}: ${items} items, ${rounds} rounds, q=${samplingRate.toPrecision(3)}, clip ${clipNorm}, ${targetEpsilon !== undefined ? `target ε ${targetEpsilon}` : `noise z=${noiseMultiplier}`} (${placement})`);
  const progress = createRoundProgress(rounds, log);
  const result = await runFederatedSimulation({
    population,
    dim,
    rounds,
    samplingRate,
    privacy: { clipNorm, noiseMultiplier, targetEpsilon, delta, placement, adaptiveClipping: adaptiveQuantile === undefined ? undefined : { targetQuantile: adaptiveQuantile } },
    serverLearningRate,
    evalShoppers,
    evalEvery,
    seed: options.seed,
    threads,
    backend: options.backend,
    onRound: (report) => progress.update(report, formatRound(report, delta)),
  });
  progress.stop();
  const e = result.evaluation;
  const summary: SimulateSummary = {
    hr10: e.hr,
    ndcg10: e.ndcg,
    hr10Full: e.hrFull,
    ndcg10Full: e.ndcgFull,
    coverage: e.coverage,
    // JSON has no Infinity: null means "no privacy guarantee" (no noise).
    epsilon: Number.isFinite(result.epsilon) ? result.epsilon : null,
    delta,
    rounds,
    clients: populationSize,
    items,
    wallSeconds: result.wallSeconds,
  };
  if (options.out !== undefined) {
    const settings = { population: options.population, items, rounds, samplingRate, noiseMultiplier: result.noiseMultiplier, targetEpsilon: targetEpsilon ?? null, delta, clipNorm, dim, serverLearningRate, placement, adaptiveClipQuantile: adaptiveQuantile ?? null, seed: options.seed, threads };
    const files = await writeSimulationResults(options.out, { summary, settings, rounds: result.rounds });
    log(`wrote ${files.join(', ')}`);
  }
  log(
    `final: HR@10 ${e.hr.toFixed(4)}  NDCG@10 ${e.ndcg.toFixed(4)}  (full catalogue: HR@10 ${e.hrFull.toFixed(4)}, NDCG@10 ${e.ndcgFull.toFixed(4)})  coverage ${e.coverage.toFixed(3)}  ` +
      `ε ${Number.isFinite(result.epsilon) ? result.epsilon.toFixed(3) : '∞ (no noise)'} at δ=${delta}  z=${result.noiseMultiplier.toFixed(4)}  ${result.wallSeconds.toFixed(1)} s`,
  );
  return { result, summary };
}

function formatRound(report: RoundReport, delta: number): string {
  const epsilon = Number.isFinite(report.epsilon) ? report.epsilon.toFixed(3) : '∞';
  const accuracy = report.evaluation ? `  HR@10 ${report.evaluation.hr.toFixed(4)}  NDCG@10 ${report.evaluation.ndcg.toFixed(4)}` : '';
  return `round ${String(report.round).padStart(3)}/${report.rounds}  cohort ${String(report.cohortSize).padStart(5)}  C ${report.clipNorm.toPrecision(3)}  clipped ${(report.clippedFraction * 100).toFixed(0).padStart(3)}%${accuracy}  ε ${epsilon} (δ=${delta})`;
}

function parsePopulation(spec: string): number {
  const match = /^synthetic:(\d+)$/.exec(spec);
  if (!match) throw new UsageError(`--population: expected synthetic:N (e.g. synthetic:10000), got '${spec}'`);
  const n = Number(match[1]);
  if (n < 1 || n > 10_000_000) throw new UsageError(`--population: expected 1 <= N <= 10,000,000, got ${n}`);
  return n;
}

function parseEpsilon(raw: string): number {
  if (raw === 'inf' || raw === 'Infinity') return Infinity;
  return parseNumber('--epsilon', raw, { min: 0, minExclusive: true });
}
