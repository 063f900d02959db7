import { calibrateNoiseMultiplier, calibrateNoiseMultiplierAfter, epsilonForMechanisms, PrivacyLedger } from '@fedrec/core/privacy';
import type { AccountantName } from '@fedrec/core/privacy';
import type { Population } from '../population/population.js';
import { defaultSchedule, noiseAwareSchedule } from '../runner/default-schedule.js';
import type { Schedule } from '../runner/default-schedule.js';
import { defaultServerLearningRate, meanItemsPerShopper } from '../runner/default-server-learning-rate.js';
import type { NoisePlacement, PrivacySettings } from '../runner/federated-simulation.js';
import { DEFAULT_E2E_CLIENTS, HYBRID_DEFAULTS, SIMULATE_DEFAULTS } from './simulate-defaults.js';
import type { HybridModelSettings } from '../runner/hybrid-simulation.js';
import type { Algorithm, SimulationMode } from './simulate-defaults.js';
import { SimulationChoiceError } from './simulation-choice-error.js';
import { defaultAlgorithm } from './default-algorithm.js';
import type { SimulationChoices } from './simulation-choices.js';

export type { SimulationChoices };

/** Where a planned value came from. */
export type PlannedSource = 'chosen' | 'default' | 'derived';

export type PlannedField = keyof SimulationPlan | `privacy.${keyof PrivacySettings}`;

/** One value of the plan, where it came from and why it is what it is. */
export interface PlannedValue {
  /** A field of the plan, or `privacy.<field>`. */
  readonly field: PlannedField;
  readonly value: number | string | boolean | null;
  readonly source: PlannedSource;
  readonly why: string;
}

/** A complete simulation configuration: what the runners and baselines take, and the explanation of each value. */
export interface SimulationPlan {
  readonly algorithm: Algorithm;
  readonly mode: SimulationMode;
  readonly shoppers: number;
  readonly items: number;
  /** Shoppers the cohort is drawn from: all of them, or in e2e mode those with a client. */
  readonly participants: number;
  readonly rounds: number;
  readonly samplingRate: number;
  /** The schedule without noise, from which a noisy run's schedule and the default ε derive. */
  readonly noiseFreeSchedule: Schedule;
  /** Whether the run adds noise (a baseline never does). */
  readonly noisy: boolean;
  /** True when no privacy or schedule choice was made: the run spends the default ε. */
  readonly defaultPrivacy: boolean;
  /** `noiseMultiplier` is the z the run uses: with a `targetEpsilon`, the calibrated one (which the runners recompute). */
  readonly privacy: PrivacySettings;
  readonly serverLearningRate: number;
  /** Set when the server learning rate is automatic: the cap under noise. */
  readonly maxModelNoiseStd: number | undefined;
  /** Set when the server learning rate is automatic: m of `defaultServerLearningRate`. */
  readonly meanItemsPerShopper: number | undefined;
  readonly denoiseThreshold: number;
  /** Unset when the threshold is 0 (denoising off). */
  readonly denoising: { readonly threshold: number } | undefined;
  readonly dim: number;
  readonly evalShoppers: number;
  readonly evalEvery: number;
  readonly centralEpochs: number;
  /** --algorithm hybrid: the hybrid model's settings (unset otherwise). */
  readonly hybrid: HybridModelSettings | undefined;
  readonly seed: string;
  readonly explanation: readonly PlannedValue[];
}

/**
 * The one policy that turns a user's choices into a complete simulation
 * configuration, shared by `fedrec simulate` and the privacy-utility
 * benchmark so that the published figures describe the code users run.
 *
 * Without noise the schedule scales with the population (`defaultSchedule`);
 * with noise it is the noise-aware one (4× the cohort in ¼ of the rounds).
 * With no privacy and no schedule choice, the run spends the ε that z = 1
 * spends on the noise-free schedule (the budget these defaults have always
 * had), on the noise-aware schedule, which gets more accuracy out of it.
 * The server learning rate is sized to the catalogue's sparsity and, under
 * noise, capped so the run adds noise of std ≤ 1 to each parameter.
 *
 * @example
 * const plan = planSimulation({ targetEpsilon: 2 }, new SyntheticPopulation({ shoppers: 10_000, items: 500, seed: '1' }));
 * plan.rounds; // 38: ¼ of the noise-free 150
 * for (const v of plan.explanation) console.log(`${v.field} = ${v.value} (${v.source}): ${v.why}`);
 */
export function planSimulation(choices: SimulationChoices, population: Population): SimulationPlan {
  const notes: PlannedValue[] = [];
  const explain = <T extends PlannedValue['value']>(field: PlannedField, value: T, source: PlannedSource, why: string): T => {
    notes.push({ field, value, source, why });
    return value;
  };
  const chosenOr = <T extends number | string>(field: PlannedField, chosen: T | undefined, fallback: T, why: string): T =>
    chosen === undefined ? explain(field, fallback, 'default', why) : explain(field, chosen, 'chosen', 'given');

  const algorithm = chosenOr<Algorithm>('algorithm', choices.algorithm, defaultAlgorithm(choices), choices.catalogue === true ? 'a catalogue is given: the hybrid model, built from it' : 'DP-FedAvg');
  const mode = chosenOr<SimulationMode>('mode', choices.mode, SIMULATE_DEFAULTS.mode, 'in process, no sockets');
  const hybrid = algorithm === 'hybrid';
  // Both train a shared model with DP-FedAvg; the hybrid has a schedule and step of its own (HYBRID_DEFAULTS).
  const federated = algorithm === 'federated' || hybrid;
  const shoppers = population.numShoppers;
  const participants =
    mode === 'e2e'
      ? explain('participants', Math.min(shoppers, choices.clients ?? DEFAULT_E2E_CLIENTS), choices.clients === undefined ? 'default' : 'chosen', `shoppers with a socket.io client (at most ${choices.clients ?? DEFAULT_E2E_CLIENTS})`)
      : shoppers;
  const delta = chosenOr<number>('privacy.delta', choices.delta, SIMULATE_DEFAULTS.delta, 'δ of the (ε, δ) guarantee');
  const accountant = chosenOr<AccountantName>('privacy.accountant', choices.accountant, SIMULATE_DEFAULTS.accountant, 'Rényi DP; pld gives a tighter ε (never above RDP)');
  const seed = chosenOr<string>('seed', choices.seed, SIMULATE_DEFAULTS.seed, 'the same seed gives the same numbers');

  // The cohort is drawn from the participants (e2e: the shoppers with a client); rounds scale with the population.
  const noiseFree: Schedule = choices.noiseFreeSchedule ?? { samplingRate: defaultSchedule(participants).samplingRate, rounds: defaultSchedule(shoppers).rounds };
  // ε = ∞ asks for the non-private run: no noise at all.
  const targetEpsilonChosen = choices.targetEpsilon !== undefined && Number.isFinite(choices.targetEpsilon) ? choices.targetEpsilon : undefined;
  const chosenNoise = choices.targetEpsilon === Infinity ? 0 : (choices.noiseMultiplier ?? SIMULATE_DEFAULTS.noise);
  const noisy = federated && (chosenNoise > 0 || targetEpsilonChosen !== undefined);
  const schedule = hybrid ? { rounds: HYBRID_DEFAULTS.rounds, samplingRate: HYBRID_DEFAULTS.samplingRate } : noisy ? noiseAwareSchedule(noiseFree) : noiseFree;
  const rounds =
    choices.rounds !== undefined
      ? explain('rounds', choices.rounds, 'chosen', 'given')
      : hybrid
        ? explain('rounds', schedule.rounds, 'default', 'the hybrid model: few rounds of large cohorts')
        : explain('rounds', schedule.rounds, 'default', noisy ? `with noise, ¼ of the noise-free ${noiseFree.rounds} rounds (at least 10)` : 'enough for ~10 participations per shopper (30–150)');
  let chosenRate: number | undefined;
  if (choices.cohort !== undefined) {
    if (choices.cohort > participants) throw new SimulationChoiceError('cohort', `expected a value <= ${participants}, got ${choices.cohort}`);
    chosenRate = explain('samplingRate', choices.cohort / participants, 'chosen', `an expected cohort of ${choices.cohort} of ${participants} participants`);
  } else if (choices.samplingRate !== undefined) {
    chosenRate = explain('samplingRate', choices.samplingRate, 'chosen', 'given');
  }
  const samplingRate =
    chosenRate ??
    (hybrid
      ? explain('samplingRate', schedule.samplingRate, 'default', 'the hybrid model: a large cohort per round')
      : explain('samplingRate', schedule.samplingRate, 'default', noisy ? `with noise, 4× the noise-free q=${noiseFree.samplingRate.toPrecision(3)} (at most 1)` : 'an expected cohort of 3% of the participants, at least 100'));

  const defaultPrivacy = federated && choices.noiseMultiplier === undefined && choices.targetEpsilon === undefined && choices.rounds === undefined && chosenRate === undefined;
  const planTargetEpsilon = (): number | undefined => {
    if (hybrid) {
      // ε = ∞, or a z given without a target: the run has no target (it uses z, or no noise).
      if (choices.targetEpsilon === Infinity || (choices.targetEpsilon === undefined && choices.noiseMultiplier !== undefined)) return undefined;
      return explain('privacy.targetEpsilon', choices.targetEpsilon ?? HYBRID_DEFAULTS.epsilon, choices.targetEpsilon === undefined ? 'default' : 'chosen', 'ε of the popularity release and the rounds together');
    }
    if (defaultPrivacy) {
      return explain(
        'privacy.targetEpsilon',
        epsilonForMechanisms({ mechanisms: [{ samplingRate: noiseFree.samplingRate, noiseMultiplier: SIMULATE_DEFAULTS.noise, steps: noiseFree.rounds }], delta, accountant }).epsilon,
        'default',
        `target ε: what z=${SIMULATE_DEFAULTS.noise} spends on the noise-free schedule, ${noiseFree.rounds} rounds at q=${noiseFree.samplingRate.toPrecision(3)}`,
      );
    }
    return targetEpsilonChosen === undefined ? undefined : explain('privacy.targetEpsilon', targetEpsilonChosen, 'chosen', 'given');
  };
  const targetEpsilon = planTargetEpsilon();
  const planNoiseMultiplier = (): number => {
    if (!federated) return explain('privacy.noiseMultiplier', 0, 'default', 'a baseline adds no noise');
    if (targetEpsilon !== undefined && hybrid) {
      return explain('privacy.noiseMultiplier', hybridRoundNoise(targetEpsilon, delta, samplingRate, rounds, accountant), 'derived', `z of the rounds, after the popularity release's ${HYBRID_DEFAULTS.model.popularityShare} share of ε ${targetEpsilon}`);
    }
    if (targetEpsilon !== undefined) {
      return explain('privacy.noiseMultiplier', calibrateNoiseMultiplier({ targetEpsilon, delta, samplingRate, steps: rounds, accountant }).noiseMultiplier, 'derived', `z calibrated to spend ε ${targetEpsilon.toPrecision(3)} over ${rounds} rounds at q=${samplingRate.toPrecision(3)}`);
    }
    if (choices.targetEpsilon === Infinity) return explain('privacy.noiseMultiplier', 0, 'chosen', 'ε = ∞: no noise');
    return chosenOr<number>('privacy.noiseMultiplier', choices.noiseMultiplier, SIMULATE_DEFAULTS.noise, 'z with a schedule choice and no privacy choice');
  };
  const noiseMultiplier = planNoiseMultiplier();
  const clipNorm = chosenOr<number>('privacy.clipNorm', choices.clipNorm, hybrid ? HYBRID_DEFAULTS.clip : SIMULATE_DEFAULTS.clip, 'L2 clip bound C on each update');
  const placement = chosenOr<NoisePlacement>('privacy.placement', choices.placement, SIMULATE_DEFAULTS.placement, 'the sum carries the noise, as with secure aggregation');
  const privacy: PrivacySettings = {
    clipNorm,
    noiseMultiplier,
    accountant,
    targetEpsilon,
    delta,
    placement,
    adaptiveClipping: choices.adaptiveClipQuantile === undefined ? undefined : { targetQuantile: choices.adaptiveClipQuantile },
  };

  // Auto: a step sized to the catalogue's sparsity; under noise the runner caps it (maxModelNoiseStd).
  // Both modes: e2e configures the real server with the same step and its own denoising.
  const autoStep = choices.serverLearningRate === undefined;
  const history = autoStep && federated && !hybrid ? meanItemsPerShopper(population, { seed }) : undefined;
  const expectedCohort = samplingRate * participants;
  const serverLearningRate =
    choices.serverLearningRate !== undefined
      ? explain('serverLearningRate', choices.serverLearningRate, 'chosen', 'given, never capped')
      : hybrid
        ? explain('serverLearningRate', HYBRID_DEFAULTS.serverLearningRate, 'default', 'the hybrid model: each row moves by about the mean delta of the shoppers who touched it (rowStepScales)')
        : history === undefined
        ? // The baselines take no server step: 1 is a placeholder.
          explain('serverLearningRate', 1, 'default', 'unused: a baseline takes no server step')
        : explain(
            'serverLearningRate',
            defaultServerLearningRate({ items: population.numItems, meanItemsPerShopper: history, rounds, expectedCohort }),
            'derived',
            `min(n, 30·items / (rounds·√m)), m = ${history.toPrecision(3)} items per shopper, n = ${expectedCohort.toPrecision(3)}`,
          );
  const maxModelNoiseStd = autoStep && !hybrid ? explain('maxModelNoiseStd', SIMULATE_DEFAULTS.maxModelNoiseStd, 'default', 'under noise, the automatic step is capped so the run adds at most this noise std to each parameter') : undefined;
  const denoiseThreshold = chosenOr('denoiseThreshold', choices.denoiseThreshold, hybrid ? 0 : SIMULATE_DEFAULTS.denoise, 'with noise, the released model is soft-thresholded at this multiple of its accumulated noise');

  return {
    algorithm,
    mode,
    shoppers,
    items: population.numItems,
    participants,
    rounds,
    samplingRate,
    noiseFreeSchedule: noiseFree,
    noisy,
    defaultPrivacy,
    privacy,
    serverLearningRate,
    maxModelNoiseStd,
    meanItemsPerShopper: history,
    denoiseThreshold,
    denoising: denoiseThreshold > 0 ? { threshold: denoiseThreshold } : undefined,
    dim: chosenOr('dim', choices.dim, SIMULATE_DEFAULTS.dim, 'embedding dimension'),
    evalShoppers: chosenOr('evalShoppers', choices.evalShoppers, SIMULATE_DEFAULTS.evalShoppers, 'shoppers in the evaluation sample'),
    evalEvery: chosenOr('evalEvery', choices.evalEvery, SIMULATE_DEFAULTS.evalEvery, 'rounds between evaluations'),
    hybrid: hybrid ? HYBRID_DEFAULTS.model : undefined,
    centralEpochs: chosenOr('centralEpochs', choices.centralEpochs, SIMULATE_DEFAULTS.centralEpochs, 'passes of central BPR-MF'),
    seed,
    explanation: notes,
  };
}

/** z of the hybrid model's rounds: what the popularity release (its share of ε, one step at q = 1) leaves of the target, composed in one ledger as the runner records it. */
function hybridRoundNoise(targetEpsilon: number, delta: number, samplingRate: number, rounds: number, accountant: AccountantName): number {
  const release = calibrateNoiseMultiplier({ targetEpsilon: HYBRID_DEFAULTS.model.popularityShare * targetEpsilon, delta, samplingRate: 1, steps: 1, accountant });
  const ledger = new PrivacyLedger({ accountant });
  ledger.record({ samplingRate: 1, noiseMultiplier: release.noiseMultiplier, steps: 1 });
  return calibrateNoiseMultiplierAfter(ledger, { targetEpsilon, delta, samplingRate, steps: rounds }).noiseMultiplier;
}
