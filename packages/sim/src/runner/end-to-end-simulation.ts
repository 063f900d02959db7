import { createSeededRandomSource, deriveSeed, positiveItems, trainLocally, epsilonForMechanisms } from '@fedrec/core';
import type { LeaveOneOutReport } from '@fedrec/core';
import { createServer, resolveServerConfig } from '@fedrec/server';
import type { RoundClosedInfo, ServerConfig } from '@fedrec/server';
import { createRoundParticipant } from '@fedrec/client';
import type { RoundParticipant, TrainingRound, TrainingResult } from '@fedrec/client';
import { leaveOneOut } from '../population/leave-one-out.js';
import { evaluateModel } from './evaluate-model.js';
import { evaluationSample } from '../baselines/evaluation-sample.js';
import { cappedServerLearningRate } from './federated-simulation.js';
import type { FederatedSimulationConfig, RoundReport, SimulationResult } from './federated-simulation.js';
import { DEFAULT_E2E_CLIENTS } from '../defaults/simulate-defaults.js';

export interface EndToEndSimulationConfig extends Omit<FederatedSimulationConfig, 'threads' | 'backend' | 'privacy'> {
  readonly privacy: Omit<FederatedSimulationConfig['privacy'], 'adaptiveClipping'>;
  /** Shoppers that get a socket.io client: the first `clients` of the population (default: all, at most 1,000). */
  readonly clients?: number;
  /** How long the server waits for a round's updates. */
  readonly roundTimeoutMs?: number;
}


/**
 * DP-FedAvg end to end: a real FedRec server on 127.0.0.1 and one real
 * socket.io client per shopper, in this process. The server samples Poisson
 * cohorts, sets each round's DP parameters, averages what arrives over the
 * wire and keeps the privacy ledger; each client trains on its own history
 * (the held-out item never leaves the evaluation) and its transport clips and
 * noises the delta as the round says. Slower than the fast mode, by design:
 * it exercises the protocol, validation, accounting and aggregation the
 * product runs.
 *
 * `distributed` placement runs with the server's `simulationMode` (each
 * client adds N(0, (zC)²/m) so that the sum carries N(0, (zC)²), honest only
 * behind secure aggregation — here, the simulation of that).
 *
 * `maxModelNoiseStd` and `denoising` mean what they do in the fast mode: the
 * step is capped once, from the expected cohort (the server's η is fixed for
 * the run), and denoising is the server's own `optimiser.denoise`.
 */
export async function runEndToEndSimulation(config: EndToEndSimulationConfig): Promise<SimulationResult> {
  const started = performance.now();
  const { population, rounds, samplingRate, privacy, seed } = config;
  const clients = Math.min(population.numShoppers, config.clients ?? DEFAULT_E2E_CLIENTS);
  const noisy = (privacy.targetEpsilon !== undefined && Number.isFinite(privacy.targetEpsilon)) || privacy.noiseMultiplier > 0;
  // The server's budget is the whole run's: a target ε as given, or the ε that
  // `rounds` rounds at z cost (a hair above, so rounding cannot stop it one short).
  const serverPrivacy = noisy
    ? {
        targetEpsilon:
          privacy.targetEpsilon ??
          epsilonForMechanisms({ mechanisms: [{ samplingRate, noiseMultiplier: privacy.noiseMultiplier, steps: rounds }], delta: privacy.delta, accountant: privacy.accountant ?? 'rdp' }).epsilon *
            (1 + 1e-9),
        delta: privacy.delta,
        clipNorm: privacy.clipNorm,
        noiseMultiplier: privacy.targetEpsilon !== undefined ? ('calibrate' as const) : privacy.noiseMultiplier,
        plannedRounds: rounds,
        placement: privacy.placement,
        simulationMode: true,
        accountant: privacy.accountant ?? 'rdp',
      }
    : undefined;

  const serverConfig = {
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    model: { numItems: population.numItems, dim: config.dim, seed },
    rounds: {
      // Every client connected before the first round: cohorts are drawn from all of them.
      minClients: clients,
      sampling: { kind: 'poisson', rate: samplingRate },
      samplingSeed: String(deriveSeed(seed, 'cohort')),
      minUpdates: 1,
      timeoutMs: config.roundTimeoutMs ?? 120_000,
      weighting: 'uniform',
    },
    auth: { enrolment: 'off' },
    // Every simulated shopper connects from 127.0.0.1 at once: the per-source
    // handshake limit (meant for the open internet) would hold most of them back,
    // and the connection cap must leave room for all (and for reconnections).
    http: { maxConnections: 2 * clients + 100, rateLimits: { handshake: false } },
    ...(serverPrivacy ? { privacy: serverPrivacy } : {}),
  } satisfies ServerConfig;
  // z as the server will resolve it (calibrated from the budget where asked), for the step's cap.
  const noiseMultiplier = resolveServerConfig(serverConfig).privacy?.noiseMultiplier ?? 0;
  const expectedCohort = Math.max(1, samplingRate * clients);
  const serverLearningRate = cappedServerLearningRate(config, noiseMultiplier * privacy.clipNorm, expectedCohort);
  const denoise = noiseMultiplier > 0 ? config.denoising : undefined;
  const server = createServer({
    ...serverConfig,
    optimiser: { kind: 'fedavg', learningRate: serverLearningRate, ...(denoise !== undefined ? { denoise } : {}) },
    ...(serverPrivacy ? { privacyNoiseSource: createSeededRandomSource(deriveSeed(seed, 'noise', 'server')) } : {}),
  });
  const { url } = await server.listen();
  const evalSample = evaluationSample(population.numShoppers, config.evalShoppers, seed);
  const evaluate = () =>
    evaluateModel(server.model(), { population, shoppers: evalSample, seed: deriveSeed(seed, 'eval'), localTraining: config.localTraining, eventWeights: config.eventWeights });

  // The callback returns the raw delta; the transport clips and noises it
  // with the round's parameters (or, without DP, clips it to C).
  const train = (index: number) => (round: TrainingRound): TrainingResult => {
    const split = leaveOneOut(population.shopper(index).events);
    const positives = positiveItems(split ? split.train : [], config.eventWeights);
    const { delta } = trainLocally({ model: round.model, positives, random: createSeededRandomSource(deriveSeed(seed, 'train', round.roundId, index)), config: config.localTraining });
    return { delta };
  };

  const reports: RoundReport[] = [];
  const sockets: RoundParticipant[] = [];
  let evaluation: LeaveOneOutReport | undefined;
  let clientUpdates = 0;
  try {
    const done = new Promise<void>((resolve, reject) => {
      const onClosed = (info: RoundClosedInfo) => {
        try {
          if (info.outcome !== 'applied') return;
          clientUpdates += info.accepted;
          const round = reports.length + 1;
          const evaluateNow = round === rounds || round % config.evalEvery === 0;
          const roundEvaluation = evaluateNow ? evaluate() : undefined;
          if (roundEvaluation) evaluation = roundEvaluation;
          const report: RoundReport = {
            round,
            rounds,
            cohortSize: info.accepted,
            clippedFraction: NaN,
            meanUpdateNorm: NaN,
            clipNorm: privacy.clipNorm,
            serverLearningRate,
            epsilon: info.privacy?.epsilonSpent ?? Infinity,
            evaluation: roundEvaluation,
            elapsedSeconds: (performance.now() - started) / 1000,
          };
          reports.push(report);
          config.onRound?.(report);
          if (round >= rounds) {
            server.events.off('roundClosed', onClosed);
            resolve();
          }
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      server.events.on('roundClosed', onClosed);
    });
    for (let index = 0; index < clients; index++) {
      const { token } = server.issueToken({ clientId: `shopper-${index}` });
      const client = createRoundParticipant({
        url,
        token,
        transports: ['websocket'],
        train: train(index),
        // Simulation: a seeded noise stream per shopper (real devices use the CSPRNG).
        noiseSource: createSeededRandomSource(deriveSeed(seed, 'noise', index)),
        ...(serverPrivacy ? {} : { privacy: { clipNorm: privacy.clipNorm, noiseMultiplier: 0 } }),
      });
      sockets.push(client);
      client.start();
    }
    await done;
  } finally {
    for (const client of sockets) client.stop();
    await server.close();
  }
  evaluation ??= evaluate();
  const wallSeconds = (performance.now() - started) / 1000;
  return {
    model: server.model(),
    evaluation,
    rounds: reports,
    noiseMultiplier,
    epsilon: reports.at(-1)?.epsilon ?? 0,
    delta: privacy.delta,
    clientUpdates,
    wallSeconds,
    updateSeconds: wallSeconds,
    threads: 1,
  };
}
