import { availableParallelism } from 'node:os';
import {
  SyntheticPopulation,
  runFederatedSimulation,
  runHybridSimulation,
  runEndToEndSimulation,
  loadDataset,
  parseDatasetSpec,
  popularityBaseline,
  centralBprBaseline,
  runOnDeviceSimulation,
  parseCatalogueSpec,
  loadCatalogueFor,
  syntheticCatalogue,
  RecordedPopulation,
  evaluationSample,
  DatasetError,
  planSimulation,
  defaultAlgorithm,
  SimulationChoiceError,
  SIMULATE_DEFAULTS,
  ALGORITHMS,
  SIMULATION_MODES,
  ClusterConnectionError,
} from '@fedrec/sim';
import type { ClusterProgress, RoundReport, NoisePlacement, Population, DatasetSpec, CatalogueSpec, SimulationChoices, SimulationPlan, PlannedField, Algorithm, SimulationMode } from '@fedrec/sim';
import type { LeaveOneOutReport } from '@fedrec/core';
import type { Catalogue } from '@fedrec/core/catalogue';
import { ACCOUNTANT_NAMES } from '@fedrec/core/privacy';
import type { AccountantName } from '@fedrec/core/privacy';
import { selectNodeBackend } from '@fedrec/client/node';
import { UsageError } from '../usage-error.js';
import { RunError } from '../run-error.js';
import { SIMULATION_NODE_OPTIONS } from '../simulation-node-options.js';
import { parseNumber, parseChoice } from '../parse-options.js';
import { writeSimulationResults } from './simulation-results.js';
import { createRoundProgress } from './round-progress.js';

// The defaults are the simulation's policy (`planSimulation`); re-exported for callers of the CLI package.
export { SIMULATE_DEFAULTS, ALGORITHMS };
export type { Algorithm };

/** The flags of `fedrec simulate`, as strings; a flag left out takes its default (`planSimulation` applies them). */
export interface SimulateOptions {
  population?: string;
  dataset?: string;
  catalogue?: string;
  algorithm?: string;
  mode?: string;
  clients?: string;
  items?: string;
  rounds?: string;
  centralEpochs?: string;
  q?: string;
  cohort?: string;
  noise?: string;
  epsilon?: string;
  delta?: string;
  clip?: string;
  dim?: string;
  serverLr?: string;
  denoise?: string;
  placement?: string;
  accountant?: string;
  adaptiveClip?: string;
  evalShoppers?: string;
  evalEvery?: string;
  seed?: string;
  threads?: string;
  cluster?: string;
  clusterPrefix?: string;
  backend?: string;
  out?: string;
  json?: boolean;
}

export interface SimulateSummary {
  hr10: number;
  ndcg10: number;
  hr10Full: number;
  ndcg10Full: number;
  coverage: number;
  epsilon: number | null;
  delta: number;
  /** The accountant `epsilon` comes from. */
  accountant: AccountantName;
  rounds: number;
  clients: number;
  items: number;
  /** What ranked the items: the federated matrix factorisation, a baseline, or the on-device recommender. */
  model: 'mf' | 'hybrid' | 'central-mf' | 'popularity' | 'on-device';
  wallSeconds: number;
}

export async function runSimulateCommand(
  options: SimulateOptions,
  log: (line: string) => void,
): Promise<{ summary: SimulateSummary; evaluation: LeaveOneOutReport; rounds: readonly RoundReport[] }> {
  const { choices, syntheticSize, items, datasetSpec, catalogueSpec, threads, cluster } = parseSimulateOptions(options);
  await selectNodeBackend({ force: options.backend, log });
  const population: Population = datasetSpec ? await loadDatasetOrExplain(datasetSpec) : new SyntheticPopulation({ shoppers: syntheticSize!, items, seed: options.seed ?? SIMULATE_DEFAULTS.seed });
  const plan = planOrExplain(choices, population);
  const { algorithm, mode, participants, rounds } = plan;
  const { delta } = plan.privacy;

  const started = performance.now();
  let evaluation: LeaveOneOutReport;
  let epsilon = Infinity;
  let roundReports: readonly RoundReport[] = [];
  // Which of the node options `fedrec simulate` asks for (see launch.ts) this run had: a library caller's process may lack them.
  const nodeOptions = process.execArgv.filter((option) => SIMULATION_NODE_OPTIONS.includes(option));
  let settings: Record<string, unknown> = { algorithm, population: population.name, shoppers: plan.shoppers, items: population.numItems, seed: plan.seed, nodeOptions };
  const evalSample = () => evaluationSample(plan.shoppers, plan.evalShoppers, plan.seed);
  if (algorithm === 'on-device') {
    const catalogue = await catalogueFor(population, catalogueSpec, log);
    const chosenNoise = choices.noiseMultiplier;
    const targetEpsilon = chosenNoise !== undefined ? undefined : (choices.targetEpsilon ?? SIMULATE_DEFAULTS.onDeviceEpsilon);
    const k = SIMULATE_DEFAULTS.popularityItemsPerShopper;
    log(
      `on-device recommender on ${population.name}: ${plan.shoppers} shoppers, ${population.numItems} items, ${catalogue.attributes.length} catalogue attributes; ` +
        (targetEpsilon === Infinity || chosenNoise === 0 ? 'exact popularity prior (no privacy)' : `private popularity prior (k = ${k} items a shopper, ${targetEpsilon !== undefined ? `ε ${targetEpsilon}${choices.targetEpsilon === undefined ? ' (default)' : ''}` : `z = ${chosenNoise}`})`),
    );
    const result = runOnDeviceSimulation({
      population,
      catalogue,
      ...(targetEpsilon !== undefined ? { targetEpsilon } : { noiseMultiplier: chosenNoise! }),
      delta,
      accountant: plan.privacy.accountant ?? 'rdp',
      maxItemsPerShopper: k,
      evalShoppers: plan.evalShoppers,
      seed: plan.seed,
    });
    evaluation = result.evaluation;
    epsilon = result.epsilon;
    settings = { ...settings, catalogueAttributes: catalogue.attributes.length, popularityNoiseMultiplier: result.noiseMultiplier, popularityNoiseStd: result.noiseStd, popularityItemsPerShopper: k, delta };
  } else if (algorithm === 'popularity') {
    log(`popularity baseline on ${population.name}: ${plan.shoppers} shoppers, ${population.numItems} items`);
    evaluation = popularityBaseline(population, { evalShoppers: evalSample(), seed: plan.seed });
  } else if (algorithm === 'central') {
    log(`central non-private BPR-MF on ${population.name}: ${plan.shoppers} shoppers, ${population.numItems} items, ${plan.centralEpochs} passes, dim ${plan.dim}`);
    evaluation = centralBprBaseline(population, {
      dim: plan.dim,
      epochs: plan.centralEpochs,
      evalShoppers: evalSample(),
      seed: plan.seed,
      onEpoch: (r) => log(`pass ${r.epoch}/${r.epochs}  ${r.elapsedSeconds.toFixed(1)} s`),
    });
    settings = { ...settings, dim: plan.dim, centralEpochs: plan.centralEpochs };
  } else {
    log(formatStartLine(plan, population.name, threads, cluster?.url));
    const progress = createRoundProgress(rounds, log);
    // The cluster's latest state, for the round lines: how many workers answered.
    let clusterState: ClusterProgress | undefined;
    const common = {
      population,
      dim: plan.dim,
      rounds,
      samplingRate: plan.samplingRate,
      serverLearningRate: plan.serverLearningRate,
      maxModelNoiseStd: plan.maxModelNoiseStd,
      denoising: plan.denoising,
      evalShoppers: plan.evalShoppers,
      evalEvery: plan.evalEvery,
      seed: plan.seed,
      onRound: (report: RoundReport) => progress.update(report, formatRound(report, delta) + (clusterState ? `  workers ${clusterState.workers}` : '')),
    };
    const onProgress = (state: ClusterProgress) => {
      clusterState = state;
      progress.cluster(state);
    };
    const { adaptiveClipping, ...privacy } = plan.privacy;
    const hybrid = plan.hybrid;
    const catalogue = hybrid === undefined ? undefined : await catalogueFor(population, catalogueSpec, log);
    if (catalogue !== undefined) log(`hybrid model: ${catalogue.attributes.length} catalogue attributes + ${hybrid!.identityItems} identity rows, private popularity prior (${hybrid!.popularityShare} of ε)`);
    const result =
      mode === 'e2e'
        ? await runEndToEndSimulation({ ...common, clients: participants, privacy })
        : catalogue !== undefined
          ? await runHybridSimulation({ ...common, catalogue, model: hybrid!, privacy: { ...privacy, adaptiveClipping }, threads, backend: options.backend })
          : await runFederatedSimulation({
              ...common,
              privacy: { ...privacy, adaptiveClipping },
              threads,
              backend: options.backend,
              cluster: cluster && { ...cluster, onProgress },
            }).catch((error: unknown) => {
              // Redis unreachable or lost: the user's to fix, one line, exit 1.
              throw error instanceof ClusterConnectionError ? new RunError(error.message) : error;
            });
    progress.stop();
    evaluation = result.evaluation;
    epsilon = result.epsilon;
    roundReports = result.rounds;
    const appliedServerLr = result.rounds.at(-1)?.serverLearningRate ?? plan.serverLearningRate;
    if (appliedServerLr !== plan.serverLearningRate) log(`server lr ${appliedServerLr.toPrecision(3)} after the cap under noise`);
    settings = {
      ...settings,
      mode,
      clients: participants,
      rounds,
      samplingRate: plan.samplingRate,
      noiseMultiplier: result.noiseMultiplier,
      targetEpsilon: plan.privacy.targetEpsilon ?? null,
      defaultPrivacy: plan.defaultPrivacy,
      noiseFreeSchedule: plan.noiseFreeSchedule,
      delta,
      clipNorm: plan.privacy.clipNorm,
      dim: plan.dim,
      serverLearningRate: appliedServerLr,
      noiseFreeServerLearningRate: plan.serverLearningRate,
      maxModelNoiseStd: plan.maxModelNoiseStd ?? null,
      meanItemsPerShopper: plan.meanItemsPerShopper ?? null,
      denoiseThreshold: plan.denoiseThreshold,
      placement: plan.privacy.placement,
      accountant: plan.privacy.accountant ?? 'rdp',
      adaptiveClipQuantile: adaptiveClipping?.targetQuantile ?? null,
      threads: cluster ? null : threads,
      cluster: cluster ? { workers: result.threads, prefix: cluster.prefix ?? null } : null,
    };
  }
  settings = { ...settings, explanation: plan.explanation };
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
    accountant: plan.privacy.accountant ?? 'rdp',
    rounds: algorithm === 'federated' || algorithm === 'hybrid' ? rounds : 0,
    clients: algorithm === 'federated' || algorithm === 'hybrid' ? participants : plan.shoppers,
    items: population.numItems,
    model: MODEL_OF[algorithm],
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

const MODEL_OF: Record<Algorithm, SimulateSummary['model']> = { federated: 'mf', hybrid: 'hybrid', central: 'central-mf', popularity: 'popularity', 'on-device': 'on-device' };

interface ParsedSimulateOptions {
  readonly choices: SimulationChoices;
  readonly syntheticSize: number | undefined;
  readonly items: number;
  readonly datasetSpec: DatasetSpec | undefined;
  readonly catalogueSpec: CatalogueSpec | undefined;
  readonly threads: number;
  readonly cluster: { readonly url: string; readonly prefix?: string } | undefined;
}

/** Flags to choices: each bad flag a usage error (exit 2) naming it; what the flags leave out, `planSimulation` fills in. */
function parseSimulateOptions(options: SimulateOptions): ParsedSimulateOptions {
  if (options.population !== undefined && options.dataset !== undefined) throw new UsageError('--population and --dataset are alternatives: give one');
  const chosenAlgorithm = options.algorithm === undefined ? undefined : parseChoice<Algorithm>('--algorithm', options.algorithm, ALGORITHMS);
  const catalogueSpec = options.catalogue === undefined ? undefined : parseCatalogue(options.catalogue);
  // With a catalogue and no --algorithm, the hybrid model; without one, federated MF as ever (the plan applies the same rule).
  const algorithm = chosenAlgorithm ?? defaultAlgorithm({ catalogue: catalogueSpec !== undefined });
  const mode = options.mode === undefined ? undefined : parseChoice<SimulationMode>('--mode', options.mode, SIMULATION_MODES);
  const e2e = mode === 'e2e';
  if (e2e && algorithm !== 'federated') throw new UsageError('--mode e2e runs the federated algorithm only');
  const clients = options.clients === undefined ? undefined : parseNumber('--clients', options.clients, { min: 1, integer: true });
  if (clients !== undefined && !e2e) throw new UsageError('--clients applies to --mode e2e only');
  const syntheticSize = options.dataset === undefined ? parsePopulation(options.population ?? SIMULATE_DEFAULTS.population) : undefined;
  const items = parseNumber('--items', options.items ?? String(SIMULATE_DEFAULTS.items), { min: 8, integer: true });
  const datasetSpec = options.dataset === undefined ? undefined : parseDataset(options.dataset);
  if (catalogueSpec !== undefined && datasetSpec === undefined) throw new UsageError('--catalogue goes with --dataset: a synthetic population has its own catalogue');
  const usesCatalogue = algorithm === 'on-device' || algorithm === 'hybrid';
  if (catalogueSpec !== undefined && !usesCatalogue) throw new UsageError('--catalogue is used by --algorithm hybrid and on-device only');
  if (usesCatalogue && datasetSpec !== undefined && catalogueSpec === undefined) {
    throw new UsageError(`--algorithm ${algorithm} needs the catalogue of the dataset: give --catalogue`);
  }
  if (options.q !== undefined && options.cohort !== undefined) throw new UsageError('--q and --cohort are alternatives: give one');
  if (options.noise !== undefined && options.epsilon !== undefined) throw new UsageError('--noise and --epsilon are alternatives: give one');
  const delta = options.delta === undefined ? undefined : parseNumber('--delta', options.delta, { min: 0, max: 1, minExclusive: true });
  if (delta !== undefined && delta >= 1) throw new UsageError(`--delta: expected a value in (0, 1), got ${options.delta}`);
  const adaptiveClipQuantile = options.adaptiveClip === undefined ? undefined : parseNumber('--adaptive-clip', options.adaptiveClip, { min: 0, max: 1, minExclusive: true });
  if (adaptiveClipQuantile === 1) throw new UsageError(`--adaptive-clip: expected a quantile in (0, 1), got ${options.adaptiveClip}`);
  if (e2e && adaptiveClipQuantile !== undefined) throw new UsageError('--adaptive-clip is not available in --mode e2e yet');
  const optional = (flag: string, raw: string | undefined, range: Parameters<typeof parseNumber>[2]) => (raw === undefined ? undefined : parseNumber(flag, raw, range));
  const choices: SimulationChoices = {
    algorithm: chosenAlgorithm,
    catalogue: catalogueSpec !== undefined,
    mode,
    clients,
    rounds: optional('--rounds', options.rounds, { min: 1, integer: true }),
    // --cohort's upper bound (the participants) is known once the population is: `planSimulation` checks it.
    cohort: optional('--cohort', options.cohort, { min: 1, integer: true }),
    samplingRate: optional('--q', options.q, { min: 0, max: 1, minExclusive: true }),
    noiseMultiplier: optional('--noise', options.noise, { min: 0 }),
    targetEpsilon: options.epsilon === undefined ? undefined : parseEpsilon(options.epsilon),
    delta,
    clipNorm: optional('--clip', options.clip, { min: 0, minExclusive: true }),
    dim: optional('--dim', options.dim, { min: 1, max: 1024, integer: true }),
    serverLearningRate: options.serverLr === undefined || options.serverLr === 'auto' ? undefined : parseNumber('--server-lr', options.serverLr, { min: 0, minExclusive: true }),
    denoiseThreshold: optional('--denoise', options.denoise, { min: 0 }),
    placement: options.placement === undefined ? undefined : parseChoice<NoisePlacement>('--placement', options.placement, ['distributed', 'local']),
    accountant: options.accountant === undefined ? undefined : parseChoice<AccountantName>('--accountant', options.accountant, ACCOUNTANT_NAMES),
    adaptiveClipQuantile,
    evalShoppers: optional('--eval-shoppers', options.evalShoppers, { min: 1, integer: true }),
    evalEvery: optional('--eval-every', options.evalEvery, { min: 1, integer: true }),
    centralEpochs: optional('--central-epochs', options.centralEpochs, { min: 1, integer: true }),
    seed: options.seed,
  };
  const threads = options.threads === undefined ? availableParallelism() : parseNumber('--threads', options.threads, { min: 1, max: 256, integer: true });
  return { choices, syntheticSize, items, datasetSpec, catalogueSpec, threads, cluster: parseCluster(options, algorithm, mode) };
}

/** --cluster runs the fast mode's client updates elsewhere: it excludes --threads, e2e mode and the non-federated algorithms. */
function parseCluster(options: SimulateOptions, algorithm: Algorithm, mode: SimulationMode | undefined): ParsedSimulateOptions['cluster'] {
  if (options.cluster === undefined) {
    if (options.clusterPrefix !== undefined) throw new UsageError('--cluster-prefix goes with --cluster');
    return undefined;
  }
  if (options.threads !== undefined) throw new UsageError('--threads and --cluster are alternatives: the workers are the threads of a cluster run');
  if ((mode ?? SIMULATE_DEFAULTS.mode) !== 'fast') throw new UsageError('--cluster runs the fast mode only (e2e mode has a real server and clients)');
  if (algorithm !== 'federated') throw new UsageError('--cluster runs the federated algorithm only');
  if (!/^rediss?:\/\/[^\s]+$/.test(options.cluster)) throw new UsageError(`--cluster: expected redis://HOST:PORT, got '${options.cluster}'`);
  if (options.clusterPrefix !== undefined && !/^[A-Za-z0-9:_.-]{1,100}$/.test(options.clusterPrefix)) {
    throw new UsageError(`--cluster-prefix: expected 1–100 letters, digits or :_.-, got '${options.clusterPrefix}'`);
  }
  return { url: options.cluster, prefix: options.clusterPrefix };
}

/** The flag behind each choice `planSimulation` can reject once it sees the population. */
const CHOICE_FLAGS: Partial<Record<keyof SimulationChoices, string>> = { cohort: '--cohort' };

function planOrExplain(choices: SimulationChoices, population: Population): SimulationPlan {
  try {
    return planSimulation(choices, population);
  } catch (error) {
    if (error instanceof SimulationChoiceError) throw new UsageError(`${CHOICE_FLAGS[error.choice] ?? error.choice}: ${error.message}`);
    throw error;
  }
}

/** The start-up line of a federated run: the schedule, privacy and server step of the plan, each default said to be one. */
function formatStartLine(plan: SimulationPlan, populationName: string, threads: number, cluster: string | undefined): string {
  const sourceOf = (field: PlannedField) => plan.explanation.find((v) => v.field === field)?.source;
  const { privacy, samplingRate, participants, noisy, maxModelNoiseStd } = plan;
  const where =
    plan.mode === 'e2e' ? `end to end with ${participants} socket.io clients` : cluster ? `on the workers of ${cluster}` : `on ${threads} thread${threads === 1 ? '' : 's'}`;
  const schedule = `${plan.items} items, ${plan.rounds} rounds, q=${samplingRate.toPrecision(3)} (≈${Math.round(samplingRate * participants)} per round), clip ${privacy.clipNorm}`;
  const defaultBudget =
    sourceOf('privacy.targetEpsilon') === 'default'
      ? ` (default: z=${SIMULATE_DEFAULTS.noise} on the noise-free schedule, ${plan.noiseFreeSchedule.rounds} rounds at q=${plan.noiseFreeSchedule.samplingRate.toPrecision(3)})`
      : '';
  const budget = privacy.targetEpsilon !== undefined ? `target ε ${privacy.targetEpsilon.toPrecision(3)}${defaultBudget}` : `noise z=${privacy.noiseMultiplier}`;
  const step =
    `server lr ${plan.serverLearningRate.toPrecision(3)}${sourceOf('serverLearningRate') === 'derived' ? ' (auto)' : ''}` +
    `${noisy && maxModelNoiseStd !== undefined ? `, capped at noise std ${maxModelNoiseStd} per parameter` : ''}${noisy && plan.denoising ? `, denoised at ${plan.denoiseThreshold}σ` : ''}`;
  return `simulating ${populationName} ${where}: ${schedule}, ${budget} (${privacy.placement}), ${step}`;
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

function parseDataset(raw: string): DatasetSpec {
  try {
    return parseDatasetSpec(raw);
  } catch (error) {
    throw new UsageError(`--dataset: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A dataset that cannot be read is the user's to fix: say which file and line, exit 2. */
async function loadDatasetOrExplain(spec: DatasetSpec): Promise<Population> {
  try {
    return await loadDataset(spec);
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(`--dataset: ${error.message}`);
    throw error;
  }
}

function parseCatalogue(raw: string): CatalogueSpec {
  try {
    return parseCatalogueSpec(raw);
  } catch (error) {
    throw new UsageError(`--catalogue: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The population's own catalogue (synthetic), or the file aligned to the dataset's items; a file that cannot be read is the user's to fix. */
async function catalogueFor(population: Population, spec: CatalogueSpec | undefined, log: (line: string) => void): Promise<Catalogue> {
  if (population instanceof SyntheticPopulation) return syntheticCatalogue(population);
  if (spec === undefined || !(population instanceof RecordedPopulation)) throw new UsageError('this algorithm needs the catalogue of the dataset: give --catalogue');
  try {
    const aligned = await loadCatalogueFor(spec, population.itemIds);
    if (aligned.missing.length > 0) log(`catalogue: ${aligned.missing.length} of ${population.numItems} items have no entry (ranked by popularity only)`);
    return aligned.catalogue;
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(`--catalogue: ${error.message}`);
    throw error;
  }
}

function parseEpsilon(raw: string): number {
  if (raw === 'inf' || raw === 'Infinity') return Infinity;
  return parseNumber('--epsilon', raw, { min: 0, minExclusive: true });
}
