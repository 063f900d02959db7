import {
  createSharedModel,
  addGaussianNoise,
  createSeededRandomSource,
  deriveSeed,
  calibrateNoiseMultiplier,
  calibrateNoiseMultiplierAfter,
  DpFedAvgRoundPolicy,
  PrivacyLedger,
  DenoisedModel,
} from '@fedrec/core';
import type { SharedModel, LocalTrainingConfig, LeaveOneOutReport, EventWeights, PrivacyLedgerJson, RoundPrivacyConfig, AccountantName, RecordedMechanism } from '@fedrec/core';
import type { Population } from '../population/population.js';
import { createUpdateExecutor } from './update-executor.js';
import type { SimulationWorkers } from './simulation-workers.js';
import type { ClusterSettings } from './cluster-executor.js';
import { evaluationSample } from '../baselines/evaluation-sample.js';
import { poissonCohort } from './poisson-cohort.js';
import { evaluateModel } from './evaluate-model.js';
import { evaluateHybridModel } from './evaluate-hybrid-model.js';
import type { HybridScoringSettings } from './evaluate-hybrid-model.js';
import type { HybridClientSettings } from './client-update-chunk.js';

/**
 * Where the Gaussian noise of DP-FedAvg is added:
 * - `distributed`: the cohort's sum carries N(0, (zC)²) once — what secure
 *   aggregation with distributed noise delivers; simulated here by adding it
 *   to the sum (simulation mode);
 * - `local`: every shopper adds N(0, (zC)²) to their own update (no trust in
 *   the server, far more noise in the mean).
 */
export type NoisePlacement = 'distributed' | 'local';

export interface PrivacySettings {
  /** L2 bound C on each shopper's update. */
  readonly clipNorm: number;
  /** z; 0 disables noise (and the guarantee). Ignored when `targetEpsilon` is set. */
  readonly noiseMultiplier: number;
  /** Calibrate z so that the whole run spends at most this ε. */
  readonly targetEpsilon?: number;
  readonly delta: number;
  readonly placement: NoisePlacement;
  /** How ε is accounted and z calibrated: rdp (default) or pld (tighter, never above rdp). */
  readonly accountant?: AccountantName;
  /**
   * Adaptive clipping (Andrew et al. 2021): C follows this quantile of the
   * update norms, starting from `clipNorm`. The noised count of unclipped
   * updates shares the budget (see `updateNoiseMultiplier`).
   */
  readonly adaptiveClipping?: { readonly targetQuantile: number; readonly learningRate?: number; readonly countNoiseStd?: number };
}

export interface FederatedSimulationConfig {
  readonly population: Population;
  readonly dim: number;
  readonly rounds: number;
  /** Poisson sampling rate q: each shopper joins a round with probability q. */
  readonly samplingRate: number;
  readonly privacy: PrivacySettings;
  /** Step of the server's FedAvg update on the mean delta (see `defaultServerLearningRate`). */
  readonly serverLearningRate: number;
  /**
   * With noise, cap each round's server learning rate so that the noise the
   * whole run adds to a parameter (before denoising) has at most this
   * standard deviation: η_t ≤ maxModelNoiseStd · n / (σ_sum,t · √rounds),
   * σ_sum,t the noise on round t's sum and n the expected cohort. A larger
   * step amplifies the noise as much as the signal. Unset: no cap.
   */
  readonly maxModelNoiseStd?: number;
  /**
   * Release a denoised model (see `DenoisedModel`): post-processing of the
   * noised sums, no privacy cost. Applies only with noise. Unset: plain FedAvg.
   */
  readonly denoising?: { readonly threshold: number };
  readonly localTraining?: Partial<LocalTrainingConfig>;
  readonly eventWeights?: EventWeights;
  /** Train the hybrid model (see `runHybridSimulation`, which prepares this) instead of matrix factorisation. */
  readonly hybrid?: HybridRunSettings;
  /**
   * Releases made before the rounds (e.g. private popularity), recorded in
   * the run's ledger first: ε covers them, and a `targetEpsilon` is met by the
   * releases and the rounds together.
   */
  readonly releases?: readonly RecordedMechanism[];
  /** Shoppers in the fixed evaluation sample. */
  readonly evalShoppers: number;
  /** Evaluate every this many rounds (and after the last). */
  readonly evalEvery: number;
  readonly seed: string | number;
  /** Worker threads for client updates (default 1: in process). Results do not depend on it. */
  readonly threads?: number;
  /** tfjs backend for worker threads (cpu or wasm; default: the first that loads). */
  readonly backend?: string;
  /**
   * Worker threads from `startSimulationWorkers` to run on instead of
   * starting `threads` new ones (and leave running): for several
   * simulations in a row. Results do not depend on it either.
   */
  readonly workers?: SimulationWorkers;
  /**
   * Compute client updates on cluster workers (`fedrec worker --cluster URL`,
   * any number, on any machines) through Redis. The numbers are those of the
   * in-process run; `threads` and `workers` do not apply.
   */
  readonly cluster?: ClusterSettings;
  readonly onRound?: (report: RoundReport) => void;
}

/** The hybrid model's run: its starting table, what devices train and score with, and the server's per-row steps. */
export interface HybridRunSettings {
  readonly initialModel: SharedModel;
  readonly client: HybridClientSettings;
  readonly scoring: HybridScoringSettings;
  /** Multiplies the server's step on each feature row (`rowStepScales`). */
  readonly rowStepScales?: Float32Array;
}

export interface RoundReport {
  readonly round: number;
  readonly rounds: number;
  readonly cohortSize: number;
  /** Fraction of the cohort's updates that the clip bound shortened (NaN where the runner cannot see updates, as in e2e mode). */
  readonly clippedFraction: number;
  readonly meanUpdateNorm: number;
  /** The clip bound used this round (moves under adaptive clipping). */
  readonly clipNorm: number;
  /** Contributors whose update the clip bound left whole: the count adaptive clipping noises (absent where the runner cannot see updates, as in e2e mode). */
  readonly unclippedCount?: number;
  /** The server learning rate applied this round (after any `maxModelNoiseStd` cap), where the runner knows it. */
  readonly serverLearningRate?: number;
  /** ε spent so far (δ fixed), Infinity without noise. */
  readonly epsilon: number;
  readonly evaluation?: LeaveOneOutReport;
  readonly elapsedSeconds: number;
}

export interface SimulationResult {
  readonly model: SharedModel;
  readonly evaluation: LeaveOneOutReport;
  readonly rounds: readonly RoundReport[];
  readonly noiseMultiplier: number;
  readonly epsilon: number;
  readonly delta: number;
  /** The privacy ledger the run recorded (one step (q, z) per round; empty without noise), where the runner keeps one. */
  readonly privacyLedger?: PrivacyLedgerJson;
  readonly clientUpdates: number;
  readonly wallSeconds: number;
  /** Seconds spent computing client updates and aggregating them (excludes evaluation). */
  readonly updateSeconds: number;
  readonly threads: number;
}

/**
 * DP-FedAvg over a virtual population, in process: per round a Poisson
 * cohort, each member's real local training and update pipeline (clip, then
 * noise), the mean of the updates applied by the server with a learning
 * rate, and the privacy ledger advanced by one subsampled-Gaussian step.
 *
 * Randomness: one seeded stream per purpose (cohort, each shopper's training,
 * noise) so that the data stream and the noise stream never coincide and the
 * same seed gives the same numbers.
 */
export async function runFederatedSimulation(config: FederatedSimulationConfig): Promise<SimulationResult> {
  const started = performance.now();
  const { population, rounds, samplingRate, privacy, seed } = config;
  const { hybrid } = config;
  let model = hybrid ? hybrid.initialModel : createSharedModel({ numItems: population.numItems, dim: config.dim }, { seed });
  const noiseMultiplier = resolveNoiseMultiplier(config);
  // The round policy (noise per placement, ledger, adaptive clipping) is core's, the one the server runs.
  // Its own noise source is never drawn from: the simulator draws the sum's and the count's noise from its seeded streams.
  const policy = new DpFedAvgRoundPolicy(roundPrivacyConfig(config, noiseMultiplier), { noiseSource: createSeededRandomSource(deriveSeed(seed, 'privacy')) });
  for (const release of config.releases ?? []) policy.recordRelease(release);
  const denoiser = config.denoising && noiseMultiplier > 0 ? new DenoisedModel(model, config.denoising) : undefined;
  const cohortStream = createSeededRandomSource(deriveSeed(seed, 'cohort'));
  const evalSample = evaluationSample(population.numShoppers, config.evalShoppers, seed);
  const evaluationOptions = { population, shoppers: evalSample, seed: deriveSeed(seed, 'eval'), localTraining: config.localTraining, eventWeights: config.eventWeights };
  const evaluate = (m: SharedModel) => (hybrid ? evaluateHybridModel(m, evaluationOptions, hybrid.scoring) : evaluateModel(m, evaluationOptions));

  const executor = await createUpdateExecutor({
    population,
    spec: population.spec,
    settings: { seed, localTraining: config.localTraining, eventWeights: config.eventWeights, ...(hybrid ? { hybrid: hybrid.client } : {}) },
    threads: config.threads ?? 1,
    backend: config.backend,
    workers: config.workers,
    cluster: config.cluster,
  });
  const reports: RoundReport[] = [];
  let clientUpdates = 0;
  let updateSeconds = 0;
  let evaluation: LeaveOneOutReport | undefined;
  try {
    for (let round = 1; round <= rounds; round++) {
      const cohort = poissonCohort(population.numShoppers, samplingRate, cohortStream);
      const plan = policy.planRound(population.numShoppers);
      // The budget is infinite here (the rounds are fixed, and z calibrated for them), so a round is always planned.
      if (plan === null) throw new Error('unreachable: the simulation policy has no budget to exhaust');
      const { clipNorm, clientNoiseMultiplier } = plan.message;
      const { expectedCohort, updateNoiseMultiplier: updateNoise } = plan;
      const updatesStarted = performance.now();
      const localNoiseMultiplier = privacy.placement === 'local' ? clientNoiseMultiplier : 0;
      const { sum, contributors, clipped, unclipped, normSum } = await executor.computeRound(model, { round, clipNorm, localNoiseMultiplier }, cohort);
      clientUpdates += contributors;
      // Distributed: the members' shares and the server's top-up are simulated as one draw of N(0, (z_Δ C)²) on the sum.
      if (privacy.placement === 'distributed' && updateNoise > 0 && contributors > 0) {
        addGaussianNoise(sum, updateNoise * clipNorm, createSeededRandomSource(deriveSeed(seed, 'noise', round, 'sum')));
      }
      // Standard deviation of the noise on this round's sum: once (distributed) or from every contributor (local).
      const sumNoiseStd = updateNoise * clipNorm * (privacy.placement === 'local' ? Math.sqrt(contributors) : 1);
      const serverLearningRate = cappedServerLearningRate(config, updateNoise * clipNorm, expectedCohort);
      if (contributors > 0) model = denoiser ? denoiser.step(sum, serverLearningRate / contributors, sumNoiseStd) : applyMean(model, sum, contributors, serverLearningRate, hybrid?.rowStepScales);
      policy.recordRound(plan, unclipped, { countNoise: createSeededRandomSource(deriveSeed(seed, 'count-noise', round)) });
      updateSeconds += (performance.now() - updatesStarted) / 1000;
      const epsilon = policy.epsilonSpent;
      const evaluateNow = round === rounds || round % config.evalEvery === 0;
      const roundEvaluation = evaluateNow ? evaluate(model) : undefined;
      if (roundEvaluation) evaluation = roundEvaluation;
      const report: RoundReport = {
        round,
        rounds,
        cohortSize: contributors,
        clippedFraction: contributors ? clipped / contributors : 0,
        meanUpdateNorm: contributors ? normSum / contributors : 0,
        clipNorm,
        unclippedCount: unclipped,
        serverLearningRate,
        epsilon,
        evaluation: roundEvaluation,
        elapsedSeconds: (performance.now() - started) / 1000,
      };
      reports.push(report);
      config.onRound?.(report);
    }
  } finally {
    await executor.close();
  }
  evaluation ??= evaluate(model);
  return {
    model,
    evaluation,
    rounds: reports,
    noiseMultiplier,
    epsilon: reports.at(-1)?.epsilon ?? 0,
    delta: privacy.delta,
    privacyLedger: policy.ledgerJson(),
    clientUpdates,
    wallSeconds: (performance.now() - started) / 1000,
    updateSeconds,
    threads: executor.threads,
  };
}

function resolveNoiseMultiplier(config: FederatedSimulationConfig): number {
  const { privacy } = config;
  if (privacy.targetEpsilon === undefined || !Number.isFinite(privacy.targetEpsilon)) return privacy.noiseMultiplier;
  const releases = config.releases ?? [];
  if (releases.length > 0) {
    // The rounds get what the releases leave of the target, composed in one ledger.
    const ledger = new PrivacyLedger({ accountant: privacy.accountant ?? 'rdp' });
    for (const release of releases) ledger.record(release);
    return calibrateNoiseMultiplierAfter(ledger, { targetEpsilon: privacy.targetEpsilon, delta: privacy.delta, samplingRate: config.samplingRate, steps: config.rounds }).noiseMultiplier;
  }
  return calibrateNoiseMultiplier({
    targetEpsilon: privacy.targetEpsilon,
    delta: privacy.delta,
    samplingRate: config.samplingRate,
    steps: config.rounds,
    accountant: privacy.accountant ?? 'rdp',
  }).noiseMultiplier;
}

/** The round policy's settings for a run: the budget is infinite (the run's length is fixed, and z calibrated to it). */
function roundPrivacyConfig(config: FederatedSimulationConfig, noiseMultiplier: number): RoundPrivacyConfig {
  const { privacy, samplingRate, population } = config;
  const adaptive = privacy.adaptiveClipping;
  return {
    noiseMultiplier,
    targetEpsilon: Infinity,
    delta: privacy.delta,
    clipNorm: privacy.clipNorm,
    placement: privacy.placement,
    samplingRate,
    accountant: privacy.accountant ?? 'rdp',
    ...(adaptive === undefined
      ? {}
      : {
          adaptiveClipping: {
            targetQuantile: adaptive.targetQuantile,
            learningRate: adaptive.learningRate ?? 0.2,
            // Andrew et al. suggest σ_b = m/20 for an expected cohort of m.
            countNoiseStd: adaptive.countNoiseStd ?? Math.max(1, samplingRate * population.numShoppers) / 20,
          },
        }),
  };
}

/** The configured η, capped by `maxModelNoiseStd` where the sum carries noise (`noiseStd` = z·C of one draw). Shared with the end-to-end runner. */
export function cappedServerLearningRate(
  config: Pick<FederatedSimulationConfig, 'serverLearningRate' | 'maxModelNoiseStd' | 'rounds'> & { readonly privacy: Pick<FederatedSimulationConfig['privacy'], 'placement'> },
  noiseStd: number,
  expectedCohort: number,
): number {
  const eta = config.serverLearningRate;
  if (config.maxModelNoiseStd === undefined || noiseStd === 0) return eta;
  // The expected noise on the sum (one draw, or one per expected contributor), so that the cap does not move with the realised cohort.
  const sumNoiseStd = noiseStd * (config.privacy.placement === 'local' ? Math.sqrt(expectedCohort) : 1);
  return Math.min(eta, (config.maxModelNoiseStd * expectedCohort) / (sumNoiseStd * Math.sqrt(config.rounds)));
}

/** FedAvg: model + η · (sum / n), each row's step multiplied by its `rowScales` entry where given (embedding row and bias alike). */
function applyMean(model: SharedModel, sum: Float64Array, n: number, serverLearningRate: number, rowScales?: Float32Array): SharedModel {
  const step = serverLearningRate / n;
  // A plain loop: Float32Array.from with a mapping function took ~5 ms for 55,506 values, while the workers wait.
  const values = new Float32Array(model.values.length);
  if (rowScales === undefined) {
    for (let i = 0; i < values.length; i++) values[i] = model.values[i]! + step * sum[i]!;
  } else {
    const { numItems: rows, dim } = model.shape;
    if (rowScales.length !== rows) throw new RangeError(`expected a step scale per row (${rows}), got ${rowScales.length}`);
    for (let r = 0; r < rows; r++) {
      const rowStep = step * rowScales[r]!;
      for (let i = r * dim; i < (r + 1) * dim; i++) values[i] = model.values[i]! + rowStep * sum[i]!;
      values[rows * dim + r] = model.values[rows * dim + r]! + rowStep * sum[rows * dim + r]!;
    }
  }
  return { shape: model.shape, version: model.version + 1, values };
}
