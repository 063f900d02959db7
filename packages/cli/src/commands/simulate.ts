import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { SyntheticPopulation, runFederatedSimulation, runEndToEndSimulation, DEFAULT_E2E_CLIENTS, defaultSchedule, noiseAwareSchedule, defaultServerLearningRate, meanItemsPerShopper, loadDataset, parseDatasetSpec, popularityBaseline, centralBprBaseline, evaluationSample, DatasetError } from '@fedrec/sim';
import type { RoundReport, NoisePlacement, Population, Schedule } from '@fedrec/sim';
import type { LeaveOneOutReport } from '@fedrec/core';
import { epsilonForMechanisms } from '@fedrec/core';
import { selectNodeBackend } from '@fedrec/client/node';
import { UsageError } from '../usage-error.js';
import { SIMULATION_NODE_OPTIONS } from '../simulation-node-options.js';
import { parseNumber, parseChoice } from '../parse-options.js';
import { writeSimulationResults } from './simulation-results.js';
import { createRoundProgress } from './round-progress.js';

/** Defaults of the built-in job: synthetic shoppers, DP-FedAvg, ε ≈ 3 at δ = 1e-5. */
export const SIMULATE_DEFAULTS = {
  population: 'synthetic:10000',
  items: 500,
  /** z given only a schedule flag; with no privacy or schedule flag, the run spends the ε this z spends on the noise-free schedule. */
  noise: 1.0,
  delta: 1e-5,
  clip: 0.5,
  dim: 32,
  /** `defaultServerLearningRate` of the catalogue and schedule, capped by `maxModelNoiseStd` under noise. */
  serverLr: 'auto',
  /** With --server-lr auto and noise: the noise a run may add to each parameter before denoising (std). */
  maxModelNoiseStd: 1,
  /** Soft-threshold of the released model, in multiples of its accumulated noise (0: off). */
  denoise: 1,
  evalShoppers: 500,
  evalEvery: 10,
  centralEpochs: 5,
  seed: '1',
} as const;

export const ALGORITHMS = ['federated', 'central', 'popularity'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface SimulateOptions {
  population?: string;
  dataset?: string;
  algorithm: string;
  mode: string;
  clients?: string;
  items: string;
  rounds?: string;
  centralEpochs: string;
  q?: string;
  cohort?: string;
  noise?: string;
  epsilon?: string;
  delta: string;
  clip: string;
  dim: string;
  serverLr: string;
  denoise: string;
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
    .option('--population <spec>', `synthetic:N — N virtual shoppers (default ${SIMULATE_DEFAULTS.population})`)
    .option('--dataset <spec>', 'ml-100k:PATH (u.data) | tsv:PATH (user item timestamp [event]) | seq:PATH[,TIMESTAMPS] (one shopper per line)')
    .option('--algorithm <name>', 'federated (DP-FedAvg) | central (non-private BPR-MF, same model code) | popularity', 'federated')
    .option('--mode <mode>', 'fast (in process, worker threads, no sockets) | e2e (a real server and one socket.io client per shopper on 127.0.0.1)', 'fast')
    .option('--clients <n>', `e2e mode: shoppers that get a socket.io client (default: all, at most ${DEFAULT_E2E_CLIENTS})`)
    .option('--items <n>', 'catalogue size of a synthetic population', String(SIMULATE_DEFAULTS.items))
    .option('--rounds <n>', 'federated rounds (default: enough for ~10 participations per shopper, 30–150; with noise a quarter of that, at least 10)')
    .option('--central-epochs <n>', 'passes over all shoppers for --algorithm central', String(SIMULATE_DEFAULTS.centralEpochs))
    .option('--q <rate>', 'Poisson sampling rate: each shopper joins a round with this probability (default: an expected cohort of 3% of shoppers, at least 100; with noise 4× that)')
    .option('--cohort <n>', 'expected cohort size (sets q = n / population); alternative to --q')
    .option('--noise <z>', `noise multiplier z: noise std = z × clip (0 = no DP). Default, with no --epsilon, --rounds, --q or --cohort: the ε that z = ${SIMULATE_DEFAULTS.noise} spends on the noise-free schedule, spent on the noise-aware one (4× the cohort, ¼ of the rounds); with any of them, z = ${SIMULATE_DEFAULTS.noise}`)
    .option('--epsilon <e>', 'target ε for the whole run: calibrates z; alternative to --noise')
    .option('--delta <d>', 'δ of the (ε, δ) guarantee', String(SIMULATE_DEFAULTS.delta))
    .option('--clip <c>', 'L2 clip bound C on each update', String(SIMULATE_DEFAULTS.clip))
    .option('--dim <d>', 'embedding dimension', String(SIMULATE_DEFAULTS.dim))
    .option('--server-lr <eta>', 'server learning rate of FedAvg (default auto: from catalogue size, items per shopper and rounds; under noise capped so the run adds noise of std ≤ 1 to each parameter)', SIMULATE_DEFAULTS.serverLr)
    .option('--denoise <threshold>', 'with noise: release the model with each item row soft-thresholded at this multiple of its accumulated noise (0 = off; post-processing, no privacy cost; in e2e mode the server\'s optimiser.denoise)', String(SIMULATE_DEFAULTS.denoise))
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

export async function runSimulateCommand(
  options: SimulateOptions,
  log: (line: string) => void,
): Promise<{ summary: SimulateSummary; evaluation: LeaveOneOutReport; rounds: readonly RoundReport[] }> {
  if (options.population !== undefined && options.dataset !== undefined) throw new UsageError('--population and --dataset are alternatives: give one');
  const algorithm = parseChoice<Algorithm>('--algorithm', options.algorithm, ALGORITHMS);
  const mode = parseChoice('--mode', options.mode, ['fast', 'e2e'] as const);
  if (mode === 'e2e' && algorithm !== 'federated') throw new UsageError('--mode e2e runs the federated algorithm only');
  const clientsArg = options.clients === undefined ? undefined : parseNumber('--clients', options.clients, { min: 1, integer: true });
  if (clientsArg !== undefined && mode !== 'e2e') throw new UsageError('--clients applies to --mode e2e only');
  const syntheticSize = options.dataset === undefined ? parsePopulation(options.population ?? SIMULATE_DEFAULTS.population) : undefined;
  const items = parseNumber('--items', options.items, { min: 8, integer: true });
  const datasetSpec = options.dataset === undefined ? undefined : parseDataset(options.dataset);
  if (options.q !== undefined && options.cohort !== undefined) throw new UsageError('--q and --cohort are alternatives: give one');
  if (options.noise !== undefined && options.epsilon !== undefined) throw new UsageError('--noise and --epsilon are alternatives: give one');
  const epsilonArg = options.epsilon === undefined ? undefined : parseEpsilon(options.epsilon);
  // --epsilon inf asks for the non-private run: no noise at all.
  const targetEpsilonArg = epsilonArg !== undefined && Number.isFinite(epsilonArg) ? epsilonArg : undefined;
  const noiseMultiplier = epsilonArg === Infinity ? 0 : parseNumber('--noise', options.noise ?? String(SIMULATE_DEFAULTS.noise), { min: 0 });
  const delta = parseNumber('--delta', options.delta, { min: 0, max: 1, minExclusive: true });
  if (delta >= 1) throw new UsageError(`--delta: expected a value in (0, 1), got ${options.delta}`);
  const clipNorm = parseNumber('--clip', options.clip, { min: 0, minExclusive: true });
  const dim = parseNumber('--dim', options.dim, { min: 1, max: 1024, integer: true });
  const serverLrArg = options.serverLr === 'auto' ? undefined : parseNumber('--server-lr', options.serverLr, { min: 0, minExclusive: true });
  const denoiseThreshold = parseNumber('--denoise', options.denoise, { min: 0 });
  const placement = parseChoice<NoisePlacement>('--placement', options.placement, ['distributed', 'local']);
  const adaptiveQuantile = options.adaptiveClip === undefined ? undefined : parseNumber('--adaptive-clip', options.adaptiveClip, { min: 0, max: 1, minExclusive: true });
  if (adaptiveQuantile === 1) throw new UsageError(`--adaptive-clip: expected a quantile in (0, 1), got ${options.adaptiveClip}`);
  const evalShoppers = parseNumber('--eval-shoppers', options.evalShoppers, { min: 1, integer: true });
  const evalEvery = parseNumber('--eval-every', options.evalEvery, { min: 1, integer: true });
  const centralEpochs = parseNumber('--central-epochs', options.centralEpochs, { min: 1, integer: true });
  const threads = options.threads === undefined ? availableParallelism() : parseNumber('--threads', options.threads, { min: 1, max: 256, integer: true });
  const explicitRounds = options.rounds === undefined ? undefined : parseNumber('--rounds', options.rounds, { min: 1, integer: true });

  await selectNodeBackend({ force: options.backend, log });
  const population: Population = datasetSpec ? await loadDatasetOrExplain(datasetSpec) : new SyntheticPopulation({ shoppers: syntheticSize!, items, seed: options.seed });
  const shoppers = population.numShoppers;
  if (mode === 'e2e' && adaptiveQuantile !== undefined) throw new UsageError('--adaptive-clip is not available in --mode e2e yet');
  const participants = mode === 'e2e' ? Math.min(shoppers, clientsArg ?? DEFAULT_E2E_CLIENTS) : shoppers;
  // The cohort is drawn from the participants (e2e: the shoppers with a client); rounds scale with the population.
  const noiseFree: Schedule = { samplingRate: defaultSchedule(participants).samplingRate, rounds: defaultSchedule(shoppers).rounds };
  const noisy = noiseMultiplier > 0 || targetEpsilonArg !== undefined;
  const schedule = noisy && algorithm === 'federated' ? noiseAwareSchedule(noiseFree) : noiseFree;
  const rounds = explicitRounds ?? schedule.rounds;
  const explicitRate =
    options.cohort !== undefined
      ? parseNumber('--cohort', options.cohort, { min: 1, max: participants, integer: true }) / participants
      : options.q !== undefined
        ? parseNumber('--q', options.q, { min: 0, max: 1, minExclusive: true })
        : undefined;
  const samplingRate = explicitRate ?? schedule.samplingRate;
  // With no privacy and no schedule flags, the run spends the ε that z = 1
  // spends on the noise-free schedule (the budget these defaults have always
  // had), on the noise-aware schedule, which gets more accuracy out of it.
  const defaultPrivacy = algorithm === 'federated' && options.noise === undefined && epsilonArg === undefined && explicitRounds === undefined && explicitRate === undefined;
  const targetEpsilon = defaultPrivacy
    ? epsilonForMechanisms({ mechanisms: [{ samplingRate: noiseFree.samplingRate, noiseMultiplier: SIMULATE_DEFAULTS.noise, steps: noiseFree.rounds }], delta }).epsilon
    : targetEpsilonArg;
  // Auto: a step sized to the catalogue's sparsity; under noise the runner caps it (maxModelNoiseStd).
  // Both modes: e2e configures the real server with the same step and its own denoising.
  const historyLength = serverLrArg === undefined && algorithm === 'federated' ? meanItemsPerShopper(population, { seed: options.seed }) : undefined;
  const serverLearningRate =
    serverLrArg ??
    // The baselines take no server step: 1 is a placeholder.
    (historyLength === undefined ? 1 : defaultServerLearningRate({ items: population.numItems, meanItemsPerShopper: historyLength, rounds, expectedCohort: samplingRate * participants }));
  const maxModelNoiseStd = serverLrArg === undefined ? SIMULATE_DEFAULTS.maxModelNoiseStd : undefined;
  const denoising = denoiseThreshold > 0 ? { threshold: denoiseThreshold } : undefined;

  const started = performance.now();
  let evaluation: LeaveOneOutReport;
  let epsilon = Infinity;
  let roundReports: readonly RoundReport[] = [];
  // Which of the node options `fedrec simulate` asks for (see launch.ts) this run had: a library caller's process may lack them.
  const nodeOptions = process.execArgv.filter((option) => SIMULATION_NODE_OPTIONS.includes(option));
  let settings: Record<string, unknown> = { algorithm, population: population.name, shoppers, items: population.numItems, seed: options.seed, nodeOptions };
  if (algorithm === 'popularity') {
    log(`popularity baseline on ${population.name}: ${shoppers} shoppers, ${population.numItems} items`);
    evaluation = popularityBaseline(population, { evalShoppers: evaluationSample(shoppers, evalShoppers, options.seed), seed: options.seed });
  } else if (algorithm === 'central') {
    log(`central non-private BPR-MF on ${population.name}: ${shoppers} shoppers, ${population.numItems} items, ${centralEpochs} passes, dim ${dim}`);
    evaluation = centralBprBaseline(population, {
      dim,
      epochs: centralEpochs,
      evalShoppers: evaluationSample(shoppers, evalShoppers, options.seed),
      seed: options.seed,
      onEpoch: (r) => log(`pass ${r.epoch}/${r.epochs}  ${r.elapsedSeconds.toFixed(1)} s`),
    });
    settings = { ...settings, dim, centralEpochs };
  } else {
    log(
      `simulating ${population.name} ${mode === 'e2e' ? `end to end with ${participants} socket.io clients` : `on ${threads} thread${threads === 1 ? '' : 's'}`}: ${population.numItems} items, ${rounds} rounds, q=${samplingRate.toPrecision(3)} (≈${Math.round(samplingRate * participants)} per round), clip ${clipNorm}, ` +
        `${targetEpsilon !== undefined ? `target ε ${targetEpsilon.toPrecision(3)}${defaultPrivacy ? ` (default: z=${SIMULATE_DEFAULTS.noise} on the noise-free schedule, ${noiseFree.rounds} rounds at q=${noiseFree.samplingRate.toPrecision(3)})` : ''}` : `noise z=${noiseMultiplier}`} (${placement}), server lr ${serverLearningRate.toPrecision(3)}${maxModelNoiseStd === undefined ? '' : ' (auto)'}${noisy && maxModelNoiseStd !== undefined ? `, capped at noise std ${maxModelNoiseStd} per parameter` : ''}${noisy && denoising ? `, denoised at ${denoiseThreshold}σ` : ''}`,
    );
    const progress = createRoundProgress(rounds, log);
    const common = {
      population,
      dim,
      rounds,
      samplingRate,
      serverLearningRate,
      evalShoppers,
      evalEvery,
      seed: options.seed,
      onRound: (report: RoundReport) => progress.update(report, formatRound(report, delta)),
    };
    const result =
      mode === 'e2e'
        ? await runEndToEndSimulation({ ...common, clients: participants, privacy: { clipNorm, noiseMultiplier, targetEpsilon, delta, placement }, maxModelNoiseStd, denoising })
        : await runFederatedSimulation({
            ...common,
            privacy: { clipNorm, noiseMultiplier, targetEpsilon, delta, placement, adaptiveClipping: adaptiveQuantile === undefined ? undefined : { targetQuantile: adaptiveQuantile } },
            maxModelNoiseStd,
            denoising,
            threads,
            backend: options.backend,
          });
    progress.stop();
    evaluation = result.evaluation;
    epsilon = result.epsilon;
    roundReports = result.rounds;
    const appliedServerLr = result.rounds.at(-1)?.serverLearningRate ?? serverLearningRate;
    if (appliedServerLr !== serverLearningRate) log(`server lr ${appliedServerLr.toPrecision(3)} after the cap under noise`);
    settings = { ...settings, mode, clients: participants, rounds, samplingRate, noiseMultiplier: result.noiseMultiplier, targetEpsilon: targetEpsilon ?? null, defaultPrivacy, noiseFreeSchedule: noiseFree, delta, clipNorm, dim, serverLearningRate: appliedServerLr, noiseFreeServerLearningRate: serverLearningRate, maxModelNoiseStd: maxModelNoiseStd ?? null, meanItemsPerShopper: historyLength ?? null, denoiseThreshold, placement, adaptiveClipQuantile: adaptiveQuantile ?? null, threads };
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const e = evaluation;
  const summary: SimulateSummary = {
    hr10: e.hr,
    ndcg10: e.ndcg,
    hr10Full: e.hrFull,
    ndcg10Full: e.ndcgFull,
    coverage: e.coverage,
    // JSON has no Infinity: null means "no privacy guarantee" (no noise).
    epsilon: Number.isFinite(epsilon) ? epsilon : null,
    delta,
    rounds: algorithm === 'federated' ? rounds : 0,
    clients: algorithm === 'federated' ? participants : shoppers,
    items: population.numItems,
    wallSeconds,
  };
  if (options.out !== undefined) {
    const files = await writeSimulationResults(options.out, { summary, settings, rounds: roundReports });
    log(`wrote ${files.join(', ')}`);
  }
  log(
    `final: HR@10 ${e.hr.toFixed(4)}  NDCG@10 ${e.ndcg.toFixed(4)}  (full catalogue: HR@10 ${e.hrFull.toFixed(4)}, NDCG@10 ${e.ndcgFull.toFixed(4)})  coverage ${e.coverage.toFixed(3)}  ` +
      `ε ${Number.isFinite(epsilon) ? `${epsilon.toFixed(3)} at δ=${delta}` : '∞ (no noise)'}  ${wallSeconds.toFixed(1)} s`,
  );
  return { summary, evaluation, rounds: roundReports };
}

function formatRound(report: RoundReport, delta: number): string {
  const epsilon = Number.isFinite(report.epsilon) ? report.epsilon.toFixed(3) : '∞';
  const accuracy = report.evaluation ? `  HR@10 ${report.evaluation.hr.toFixed(4)}  NDCG@10 ${report.evaluation.ndcg.toFixed(4)}` : '';
  return `round ${String(report.round).padStart(3)}/${report.rounds}  cohort ${String(report.cohortSize).padStart(5)}  C ${report.clipNorm.toPrecision(3)}${Number.isNaN(report.clippedFraction) ? '' : `  clipped ${(report.clippedFraction * 100).toFixed(0).padStart(3)}%`}${accuracy}  ε ${epsilon} (δ=${delta})`;
}

function parsePopulation(spec: string): number {
  const match = /^synthetic:(\d+)$/.exec(spec);
  if (!match) throw new UsageError(`--population: expected synthetic:N (e.g. synthetic:10000), got '${spec}'`);
  const n = Number(match[1]);
  if (n < 1 || n > 10_000_000) throw new UsageError(`--population: expected 1 <= N <= 10,000,000, got ${n}`);
  return n;
}

function parseDataset(raw: string): ReturnType<typeof parseDatasetSpec> {
  try {
    return parseDatasetSpec(raw);
  } catch (error) {
    throw new UsageError(`--dataset: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A dataset that cannot be read is the user's to fix: say which file and line, exit 2. */
async function loadDatasetOrExplain(spec: ReturnType<typeof parseDatasetSpec>): Promise<Population> {
  try {
    return await loadDataset(spec);
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(`--dataset: ${error.message}`);
    throw error;
  }
}

function parseEpsilon(raw: string): number {
  if (raw === 'inf' || raw === 'Infinity') return Infinity;
  return parseNumber('--epsilon', raw, { min: 0, minExclusive: true });
}
