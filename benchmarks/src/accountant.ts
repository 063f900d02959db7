/**
 * The privacy accountant's costs, as the server pays them: ε after 10,000
 * rounds, a ledger of 10,000 individually recorded rounds, calibrating a
 * noise multiplier for a 10,000-round budget, and the server's per-round
 * bookkeeping (record, ε, rounds remaining) with 10,000 rounds behind it.
 * Every figure is the median of `repeats` timed runs after one warm-up, each
 * on fresh objects, so no run benefits from another's caches.
 */
import { PrivacyLedger, RDP_ORDER_PRESETS, DEFAULT_RDP_ORDER_PRESET, calibrateNoiseMultiplier, subsampledGaussianRdpVector } from '@fedrec/core';
import { ServerPrivacy, resolveServerConfig } from '@fedrec/server';
import { median } from './stats.js';

export interface AccountantBenchOptions {
  readonly rounds: number;
  readonly repeats: number;
  readonly samplingRate: number;
  readonly delta: number;
  readonly targetEpsilon: number;
}

export interface AccountantBenchResult {
  /** ε of `rounds` identical steps: one per-step RDP vector, scaled by the step count, converted. */
  readonly epsilon10kRoundsMs: number;
  /** `rounds` calls to `record` alternating between two noise multipliers, then one ε. */
  readonly ledger10kRecordsMs: number;
  /** `calibrateNoiseMultiplier` for `rounds` steps at q, to `targetEpsilon`. */
  readonly calibrationMs: number;
  /** One per-step RDP vector (the bulk of a cold ε computation). */
  readonly rdpVectorMs: number;
  /** The server's bookkeeping after one applied round, with `rounds` already on its ledger. */
  readonly serverRoundMs: number;
  readonly orders: number;
  readonly epsilon10kRounds: number;
  readonly ledger10kRecordsEpsilon: number;
  readonly calibratedNoiseMultiplier: number;
  readonly rounds: number;
  readonly repeats: number;
}

/** Median milliseconds of `repeats` runs of `run`, after one untimed warm-up. */
function time<T>(repeats: number, run: () => T): { ms: number; value: T } {
  let value = run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    value = run();
    samples.push(performance.now() - started);
  }
  return { ms: median(samples), value };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function runAccountantBenchmark(options: AccountantBenchOptions, log: (line: string) => void): AccountantBenchResult {
  const { rounds, repeats, samplingRate, delta, targetEpsilon } = options;
  const noiseMultiplier = 1.1;

  const closedForm = time(repeats, () => {
    const ledger = new PrivacyLedger();
    ledger.record({ samplingRate, noiseMultiplier, steps: rounds });
    return ledger.epsilon(delta).epsilon;
  });
  log(`ε of ${rounds} identical rounds: ${closedForm.ms.toFixed(3)} ms (ε = ${closedForm.value.toFixed(4)})`);

  const records = time(repeats, () => {
    const ledger = new PrivacyLedger();
    for (let i = 0; i < rounds; i++) ledger.record({ samplingRate, noiseMultiplier: i % 2 === 0 ? 1.1 : 1.3 });
    return ledger.epsilon(delta).epsilon;
  });
  log(`${rounds} alternating records + ε: ${records.ms.toFixed(3)} ms (ε = ${records.value.toFixed(4)})`);

  const calibration = time(repeats, () => calibrateNoiseMultiplier({ targetEpsilon, delta, samplingRate, steps: rounds }).noiseMultiplier);
  log(`calibration (q = ${samplingRate}, ${rounds} steps, ε = ${targetEpsilon}): ${calibration.ms.toFixed(3)} ms (z = ${calibration.value})`);

  const orders = RDP_ORDER_PRESETS[DEFAULT_RDP_ORDER_PRESET];
  let sigma = 1;
  // A different σ every run, so the vector is computed, not looked up.
  const vector = time(repeats, () => subsampledGaussianRdpVector(samplingRate, (sigma += 1e-6), orders));
  log(`one per-step RDP vector (${orders.length} orders): ${vector.ms.toFixed(3)} ms`);

  const config = resolveServerConfig({
    rounds: { sampling: { kind: 'poisson', rate: samplingRate } },
    privacy: { targetEpsilon: 1e6, delta, clipNorm: 1, noiseMultiplier },
  }).privacy!;
  const mean = new Float64Array(1);
  const serverSamples: number[] = [];
  for (let i = 0; i <= repeats; i++) {
    const privacy = new ServerPrivacy(config, samplingRate);
    privacy.restore({ ...privacy.toJSON(), ledger: { ...privacy.ledgerJson(), entries: [{ samplingRate, noiseMultiplier, steps: rounds }] } });
    const plan = privacy.planRound(Math.round(1 / samplingRate))!;
    // Only applyRound is what a round costs: record, ε, and the search for the rounds remaining.
    const started = performance.now();
    privacy.applyRound(plan, mean, 1, 0);
    if (i > 0) serverSamples.push(performance.now() - started); // the first is the warm-up
  }
  const serverRoundMs = median(serverSamples);
  log(`server bookkeeping per round (${rounds} rounds on the ledger): ${serverRoundMs.toFixed(3)} ms`);

  return {
    epsilon10kRoundsMs: round3(closedForm.ms),
    ledger10kRecordsMs: round3(records.ms),
    calibrationMs: round3(calibration.ms),
    rdpVectorMs: round3(vector.ms),
    serverRoundMs: round3(serverRoundMs),
    orders: orders.length,
    epsilon10kRounds: closedForm.value,
    ledger10kRecordsEpsilon: records.value,
    calibratedNoiseMultiplier: calibration.value,
    rounds,
    repeats,
  };
}
