/**
 * PLD versus RDP on the README's default run and a few other settings: ε of
 * the same mechanisms under each accountant, the noise multiplier each needs
 * for the same target ε, and the time PLD takes. The baseline (RDP) is
 * computed in the same run. Run from the repo root:
 *
 *   npm run bench:accountant-pld
 *
 * Progress goes to stderr; the last line of stdout is one JSON object:
 * {"readmeDefault": {q, rounds, noiseMultiplier, targetEpsilon, epsilonRdp, epsilonPld, epsilonReduction,
 *   sigmaRdp, sigmaPld, noiseReduction, pldMs}, "points": [{q, sigma, steps, delta, epsilonRdp, epsilonPld, pldMs}, …]}
 */
import { calibrateNoiseMultiplier, epsilonForMechanisms, pldEpsilon } from '@fedrec/core/privacy';
import { SyntheticPopulation, SIMULATE_DEFAULTS, planSimulation } from '@fedrec/sim';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

// `npx fedrec simulate` with no flags: the built-in population, the default plan (RDP).
const population = new SyntheticPopulation({ shoppers: 10_000, items: SIMULATE_DEFAULTS.items, seed: SIMULATE_DEFAULTS.seed });
const plan = planSimulation({}, population);
const { samplingRate: q, rounds } = plan;
const { noiseMultiplier, delta, targetEpsilon } = plan.privacy;
const mechanisms = [{ samplingRate: q, noiseMultiplier, steps: rounds }];
const epsilonRdp = epsilonForMechanisms({ mechanisms, delta }).epsilon;
const pld = timed(() => pldEpsilon(mechanisms, delta));
log(`README default: q ${q}, ${rounds} rounds, z ${noiseMultiplier}: ε RDP ${epsilonRdp}, PLD ${pld.value} (${pld.ms.toFixed(0)} ms)`);
const target = targetEpsilon ?? epsilonRdp;
const sigmaRdp = calibrateNoiseMultiplier({ targetEpsilon: target, delta, samplingRate: q, steps: rounds }).noiseMultiplier;
const sigmaPld = calibrateNoiseMultiplier({ targetEpsilon: target, delta, samplingRate: q, steps: rounds, accountant: 'pld' }).noiseMultiplier;
log(`same target ε ${target}: z RDP ${sigmaRdp}, PLD ${sigmaPld}`);

const points = (
  [
    [0.01, 1.1, 1000, 1e-5],
    [256 / 60000, 1.1, 3000, 1e-5],
    [0.05, 0.8, 200, 1e-5],
    [0.1, 2, 100, 1e-6],
    [0.2, 0.5, 3, 1e-3],
    [1, 2, 10, 1e-5],
  ] as const
).map(([pq, sigma, steps, pdelta]) => {
  const m = [{ samplingRate: pq, noiseMultiplier: sigma, steps }];
  const rdp = epsilonForMechanisms({ mechanisms: m, delta: pdelta }).epsilon;
  const p = timed(() => pldEpsilon(m, pdelta));
  log(`q ${pq} σ ${sigma} T ${steps} δ ${pdelta}: ε RDP ${rdp.toFixed(4)}, PLD ${p.value.toFixed(4)} (${p.ms.toFixed(0)} ms)`);
  return { q: pq, sigma, steps, delta: pdelta, epsilonRdp: rdp, epsilonPld: p.value, pldMs: p.ms };
});

process.stdout.write(
  `${JSON.stringify({
    readmeDefault: {
      q,
      rounds,
      noiseMultiplier,
      targetEpsilon: target,
      epsilonRdp,
      epsilonPld: pld.value,
      epsilonReduction: 1 - pld.value / epsilonRdp,
      sigmaRdp,
      sigmaPld,
      noiseReduction: 1 - sigmaPld / sigmaRdp,
      pldMs: pld.ms,
    },
    points,
  })}\n`,
);
