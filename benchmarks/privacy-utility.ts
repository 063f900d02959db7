/**
 * Accuracy against privacy budget, under both protocols (HR@10 and NDCG@10
 * against 99 sampled negatives and against the full catalogue; Krichene &
 * Rendle, KDD 2020): on MovieLens-100K (with `u.item` when it sits beside
 * `u.data`), on Amazon Beauty 5-core (with its item attributes) and on
 * synthetic shoppers. Rows per population:
 *
 * - popularity (exact counts: the non-private reference) and central BPR-MF
 *   (non-private), through the same harness;
 * - private popularity: the ranking by the privately released counts alone
 *   (`runPrivatePopularitySimulation`, the release the on-device
 *   recommender and the hybrid build on, with all of ε), at each finite ε
 *   (at ∞ it is the popularity row);
 * - federated MF (`--algorithm federated`) and, where there is a catalogue,
 *   the on-device recommender (`--algorithm on-device`: its private
 *   popularity prior is its only release) and the federated hybrid
 *   (`--algorithm hybrid`), each at ε ∈ {0.5, 1, 2, 4, 8, ∞} (`--epsilons`);
 * - where there is a catalogue, the central hybrid (`centralHybridBaseline`:
 *   the hybrid model trained centrally on exact counts, no clipping, no
 *   noise): the non-private upper reference for the federated hybrid.
 *
 * Every run is configured by `planSimulation`, the function behind
 * `fedrec simulate`, so the figures describe the code users run. Each
 * figure is the mean over `--seeds` seeds (default 3), with the spread
 * (max − min); `--plan` prints the configurations and exits.
 *
 *   npm run bench:privacy-utility [-- --dataset ml-100k:PATH] [--beauty DIR] [--synthetic-shoppers N]
 *     [--only ml-100k,beauty,synthetic] [--epsilons 0.5,1,2,4,8,inf]
 *     [--algorithms popularity,central,private-popularity,federated-mf,on-device,federated-hybrid,central-hybrid]
 *     [--seeds N] [--eval-shoppers N] [--out DIR] [--quick]
 *
 * The synthetic population has 100,000 shoppers (10,000 with --quick) unless
 * `--synthetic-shoppers N` (or its older name `--synthetic N`) says otherwise.
 *
 * Writes results.csv, results.json and table.md (after every row, so a sweep
 * stopped early keeps its rows), then privacy-utility.svg and .png,
 * into DIR (default bench-out/privacy-utility). The last line of stdout is
 * one JSON object with issue 15's goals.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  SyntheticPopulation,
  RecordedPopulation,
  runFederatedSimulation,
  runHybridSimulation,
  runOnDeviceSimulation,
  runPrivatePopularitySimulation,
  popularityBaseline,
  centralBprBaseline,
  centralHybridBaseline,
  HYBRID_DEFAULTS,
  evaluationSample,
  defaultSchedule,
  planSimulation,
  loadDataset,
  parseDatasetSpec,
  loadCatalogueFor,
  parseCatalogueSpec,
  syntheticCatalogue,
  SIMULATE_DEFAULTS,
} from '@fedrec/sim';
import type { Population, Schedule } from '@fedrec/sim';
import type { Catalogue } from '@fedrec/core/catalogue';
import type { LeaveOneOutReport } from '@fedrec/core';
import { selectNodeBackend } from '@fedrec/client/node';
import { loadBenchmarkPopulation } from './src/bench-population.js';
import { renderPrivacyUtilityPlot } from './src/privacy-utility-plot.js';
import type { PlotMetric, SweepPoint, ReferenceLine } from './src/privacy-utility-plot.js';

const argv = process.argv.slice(2);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const planOnly = argv.includes('--plan');
const outDir = resolve(option('--out') ?? 'bench-out/privacy-utility');
const ALGORITHMS = ['popularity', 'central', 'private-popularity', 'federated-mf', 'on-device', 'federated-hybrid', 'central-hybrid'] as const;
type Algorithm = (typeof ALGORITHMS)[number];
const POPULATIONS = ['ml-100k', 'beauty', 'synthetic'];

/** A comma-separated flag's values, each parsed by `parse` (undefined: not allowed), with an error naming the flag. */
function listOption<T>(name: string, fallback: string, parse: (value: string) => T | undefined): T[] {
  return (option(name) ?? fallback).split(',').map((value) => {
    const parsed = parse(value.trim());
    if (parsed === undefined) throw new RangeError(`${name}: unexpected value '${value}'`);
    return parsed;
  });
}
function positiveInteger(name: string, fallback: number): number {
  const raw = option(name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name}: expected a positive integer, got '${raw}'`);
  return value;
}
const syntheticShoppers = positiveInteger(argv.includes('--synthetic-shoppers') ? '--synthetic-shoppers' : '--synthetic', quick ? 10_000 : 100_000);
const only = new Set(listOption('--only', POPULATIONS.join(','), (v) => (POPULATIONS.includes(v) ? v : undefined)));
const algorithms = new Set<Algorithm>(listOption('--algorithms', ALGORITHMS.join(','), (v) => ALGORITHMS.find((a) => a === v)));
const SEEDS = Array.from({ length: positiveInteger('--seeds', quick ? 1 : 3) }, (_, k) => `privacy-utility-${k + 1}`);
const EPSILONS = listOption('--epsilons', '0.5,1,2,4,8,inf', (v) => {
  const epsilon = v === 'inf' || v === '∞' ? Infinity : Number(v);
  return epsilon > 0 ? epsilon : undefined;
});
/**
 * Passes of the central hybrid. On Amazon Beauty (seed 1, 1,500 evaluation
 * shoppers) HR@10 / full-catalogue HR@10 after 0–8 passes: 0.486 / 0.047
 * (untrained: prior and history scorer), 0.513 / 0.047, 0.517 / 0.050,
 * 0.511 / 0.052, 0.511 / 0.047, 0.512 / 0.047, 0.506 / 0.053, 0.485 /
 * 0.055, 0.507 / 0.051: past 2–3 passes the sampled metric falls and the
 * full one moves within the sample's noise (± 0.006), so 3.
 */
const CENTRAL_HYBRID_EPOCHS = 3;
const DELTA = 1e-5;
const EVAL_SHOPPERS = positiveInteger('--eval-shoppers', quick ? 300 : 3000);
const threads = availableParallelism();
const SHARED_BEAUTY = fileURLToPath(new URL('../../shared/data/amazon-beauty-5core', import.meta.url));

tf.env().set('PROD', true);
if (!planOnly) await selectNodeBackend({ log: (line) => console.log(`# ${line}`) });

interface Row {
  population: string;
  algorithm: Algorithm;
  /** The target ε (null: ∞ for the swept algorithms, no privacy for the baselines). */
  epsilon: number | null;
  /** ε the runs reported, mean over seeds (null: ∞ or none). */
  epsilonSpent: number | null;
  seeds: number;
  hr10: number;
  hr10Spread: number;
  ndcg10: number;
  hr10Full: number;
  hr10FullSpread: number;
  ndcg10Full: number;
  coverage: number;
  seconds: number;
}

const rows: Row[] = [];
/** The swept algorithms (a line against ε in the plot); the others are references (a horizontal rule). */
const SERIES: Partial<Record<Algorithm, string>> = {
  'private-popularity': 'private popularity (all of ε on the release)',
  'federated-mf': 'federated MF',
  'federated-hybrid': 'federated hybrid',
  'on-device': 'on-device (private popularity prior)',
};

/** Mean over seeds of each metric, with the spread (max − min) of the two HRs. */
function summarise(population: string, algorithm: Algorithm, epsilon: number, runs: readonly { report: LeaveOneOutReport; epsilon: number }[], seconds: number): Row {
  const mean = (f: (r: LeaveOneOutReport) => number) => runs.reduce((s, r) => s + f(r.report), 0) / runs.length;
  const spread = (f: (r: LeaveOneOutReport) => number) => Math.max(...runs.map((r) => f(r.report))) - Math.min(...runs.map((r) => f(r.report)));
  const spent = runs.map((r) => r.epsilon);
  return {
    population,
    algorithm,
    epsilon: Number.isFinite(epsilon) ? epsilon : null,
    epsilonSpent: spent.every(Number.isFinite) ? spent.reduce((s, e) => s + e, 0) / spent.length : null,
    seeds: runs.length,
    hr10: mean((r) => r.hr),
    hr10Spread: spread((r) => r.hr),
    ndcg10: mean((r) => r.ndcg),
    hr10Full: mean((r) => r.hrFull),
    hr10FullSpread: spread((r) => r.hrFull),
    ndcg10Full: mean((r) => r.ndcgFull),
    coverage: mean((r) => r.coverage),
    seconds,
  };
}

/** results.csv, results.json and table.md of the rows so far. */
async function writeRows(): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const columns = Object.keys(rows[0]!) as (keyof Row)[];
  const csv = [columns.join(','), ...rows.map((r) => columns.map((c) => (r[c] === null ? '' : String(r[c]))).join(','))].join('\n') + '\n';
  await writeFile(join(outDir, 'results.csv'), csv);
  await writeFile(join(outDir, 'results.json'), `${JSON.stringify(rows, null, 2)}\n`);
  const table = [
    '| population | algorithm | ε | HR@10 | NDCG@10 | HR@10 full | NDCG@10 full |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.population} | ${r.algorithm} | ${r.epsilon === null ? (SERIES[r.algorithm] ? '∞' : '–') : r.epsilon} | ${r.hr10.toFixed(3)} ± ${(r.hr10Spread / 2).toFixed(3)} | ${r.ndcg10.toFixed(3)} | ${r.hr10Full.toFixed(3)} ± ${(r.hr10FullSpread / 2).toFixed(3)} | ${r.ndcg10Full.toFixed(3)} |`,
    ),
  ].join('\n');
  await writeFile(join(outDir, 'table.md'), `${table}\n`);
}

async function overSeeds(population: string, algorithm: Algorithm, epsilon: number, run: (seed: string) => Promise<{ report: LeaveOneOutReport; epsilon: number }>): Promise<void> {
  if (!algorithms.has(algorithm)) return;
  const t0 = performance.now();
  const runs = [];
  for (const seed of SEEDS) runs.push(await run(seed));
  const row = summarise(population, algorithm, epsilon, runs, (performance.now() - t0) / 1000);
  rows.push(row);
  // Written after every row: a long sweep stopped early keeps what it measured.
  await writeRows();
  const eps = row.epsilon === null ? (SERIES[algorithm] === undefined ? '-' : '∞') : row.epsilon;
  console.log(
    `# ${population.padEnd(14)} ${algorithm.padEnd(18)} ε=${String(eps).padEnd(4)} HR@10 ${row.hr10.toFixed(4)} ±${(row.hr10Spread / 2).toFixed(4)}  NDCG@10 ${row.ndcg10.toFixed(4)}  full: HR@10 ${row.hr10Full.toFixed(4)} ±${(row.hr10FullSpread / 2).toFixed(4)}  NDCG@10 ${row.ndcg10Full.toFixed(4)}  (${row.seconds.toFixed(0)} s)`,
  );
}

async function sweep(label: string, population: Population, noiseFree: Schedule, centralEpochs: number, catalogue: Catalogue | undefined): Promise<void> {
  const evalShoppers = Math.min(EVAL_SHOPPERS, population.numShoppers);
  const mfPlan = (epsilon: number, seed: string) =>
    planSimulation({ targetEpsilon: epsilon, delta: DELTA, noiseFreeSchedule: noiseFree, dim: 32, clipNorm: 0.5, evalShoppers, seed }, population);
  const hybridPlan = (epsilon: number, seed: string) => planSimulation({ algorithm: 'hybrid', targetEpsilon: epsilon, delta: DELTA, dim: 32, evalShoppers, seed }, population);
  if (planOnly) {
    for (const epsilon of EPSILONS) {
      console.log(JSON.stringify({ label, ...mfPlan(epsilon, SEEDS[0]!), explanation: undefined, epsilon: String(epsilon) }));
      if (catalogue) console.log(JSON.stringify({ label, ...hybridPlan(epsilon, SEEDS[0]!), explanation: undefined, epsilon: String(epsilon) }));
    }
    return;
  }
  console.log(`# ${label}: ${population.numShoppers} shoppers × ${population.numItems} items${catalogue ? `, ${catalogue.attributes.length} catalogue attributes` : ', no catalogue'}; ${evalShoppers} evaluation shoppers, ${SEEDS.length} seed(s)`);
  const none = Infinity;
  await overSeeds(label, 'popularity', none, async (seed) => ({ report: popularityBaseline(population, { evalShoppers: evaluationSample(population.numShoppers, evalShoppers, seed), seed }), epsilon: Infinity }));
  await overSeeds(label, 'central', none, async (seed) => ({
    report: centralBprBaseline(population, { dim: 32, epochs: centralEpochs, evalShoppers: evaluationSample(population.numShoppers, evalShoppers, seed), seed }),
    epsilon: Infinity,
  }));
  if (catalogue !== undefined) {
    await overSeeds(label, 'central-hybrid', none, async (seed) => ({
      report: centralHybridBaseline(population, {
        catalogue,
        model: HYBRID_DEFAULTS.model,
        dim: 32,
        epochs: CENTRAL_HYBRID_EPOCHS,
        evalShoppers: evaluationSample(population.numShoppers, evalShoppers, seed),
        seed,
      }),
      epsilon: Infinity,
    }));
  }
  for (const epsilon of EPSILONS) {
    // At ε = ∞ the release is the exact counts: the popularity row.
    if (Number.isFinite(epsilon)) {
      await overSeeds(label, 'private-popularity', epsilon, async (seed) => {
        const result = runPrivatePopularitySimulation({ population, targetEpsilon: epsilon, delta: DELTA, maxItemsPerShopper: SIMULATE_DEFAULTS.popularityItemsPerShopper, evalShoppers, seed });
        return { report: result.evaluation, epsilon: result.epsilon };
      });
    }
    await overSeeds(label, 'federated-mf', epsilon, async (seed) => {
      const plan = mfPlan(epsilon, seed);
      const result = await runFederatedSimulation({
        population,
        dim: plan.dim,
        rounds: plan.rounds,
        samplingRate: plan.samplingRate,
        privacy: plan.privacy,
        serverLearningRate: plan.serverLearningRate,
        maxModelNoiseStd: plan.maxModelNoiseStd,
        denoising: plan.denoising,
        evalShoppers: plan.evalShoppers,
        evalEvery: plan.rounds,
        seed: plan.seed,
        threads,
      });
      return { report: result.evaluation, epsilon: result.epsilon };
    });
    if (catalogue === undefined) continue;
    await overSeeds(label, 'on-device', epsilon, async (seed) => {
      const result = runOnDeviceSimulation({ population, catalogue, targetEpsilon: epsilon, delta: DELTA, maxItemsPerShopper: SIMULATE_DEFAULTS.popularityItemsPerShopper, evalShoppers, seed });
      return { report: result.evaluation, epsilon: result.epsilon };
    });
    await overSeeds(label, 'federated-hybrid', epsilon, async (seed) => {
      const plan = hybridPlan(epsilon, seed);
      const result = await runHybridSimulation({
        population,
        catalogue,
        model: plan.hybrid!,
        dim: plan.dim,
        rounds: plan.rounds,
        samplingRate: plan.samplingRate,
        privacy: plan.privacy,
        serverLearningRate: plan.serverLearningRate,
        evalShoppers: plan.evalShoppers,
        evalEvery: plan.rounds,
        seed: plan.seed,
        threads,
      });
      return { report: result.evaluation, epsilon: result.epsilon };
    });
  }
}

/** The catalogue beside a dataset, aligned to its items: u.item next to MovieLens' u.data. */
async function movieLensCatalogue(population: Population, dataset: string | undefined): Promise<Catalogue | undefined> {
  if (!(population instanceof RecordedPopulation) || dataset === undefined) return undefined;
  const uItem = join(dirname(dataset), 'u.item');
  return existsSync(uItem) ? (await loadCatalogueFor(parseCatalogueSpec(`movielens:${uItem}`), population.itemIds)).catalogue : undefined;
}

if (only.has('ml-100k')) {
  const ml = await loadBenchmarkPopulation(argv, { shoppers: 943, items: 1682 });
  const mlPath = ml instanceof RecordedPopulation ? (option('--dataset')?.replace(/^ml-100k:/, '') ?? fileURLToPath(new URL('../../shared/data/ml-100k/u.data', import.meta.url))) : undefined;
  // Central BPR-MF: 10 passes is its best on MovieLens-100K (5 under-fits, 20 over-fits).
  await sweep('ml-100k', ml, defaultSchedule(ml.numShoppers), 10, await movieLensCatalogue(ml, mlPath));
}
const beautyDir = option('--beauty') ?? SHARED_BEAUTY;
if (only.has('beauty') && existsSync(join(beautyDir, 'Beauty.txt'))) {
  const beauty = await loadDataset(parseDatasetSpec(`seq:${join(beautyDir, 'Beauty.txt')}`));
  if (!(beauty instanceof RecordedPopulation)) throw new Error('expected a recorded population from Beauty.txt');
  const catalogue = (await loadCatalogueFor(parseCatalogueSpec(`attributes-json:${join(beautyDir, 'Beauty_item2attributes.json')}`), beauty.itemIds)).catalogue;
  await sweep('amazon-beauty', beauty, defaultSchedule(beauty.numShoppers), quick ? 2 : 5, catalogue);
}
const synthLabel = `synthetic-${syntheticShoppers / 1000}k`;
if (only.has('synthetic')) {
  const synthetic = new SyntheticPopulation({ shoppers: syntheticShoppers, items: 1000, seed: 'privacy-utility' });
  // A cohort of 1% (1,000 of 100,000 shoppers) per round.
  await sweep(synthLabel, synthetic, { samplingRate: 0.01, rounds: quick ? 30 : 60 }, quick ? 1 : 3, syntheticCatalogue(synthetic));
}
if (planOnly) process.exit(0);

if (rows.length === 0) throw new Error('no rows: check --only and --algorithms');
const epsLabel = (e: number | null) => (e === null ? '∞' : String(e));
const REFERENCES: Partial<Record<Algorithm, string>> = { popularity: 'popularity (exact counts)', central: 'central BPR-MF (no privacy)', 'central-hybrid': 'central hybrid (no privacy)' };
const METRICS: readonly [PlotMetric, (r: Row) => number][] = [
  ['HR@10', (r) => r.hr10],
  ['NDCG@10', (r) => r.ndcg10],
  ['HR@10 (full catalogue)', (r) => r.hr10Full],
  ['NDCG@10 (full catalogue)', (r) => r.ndcg10Full],
];
const points: SweepPoint[] = rows
  .filter((r) => SERIES[r.algorithm] !== undefined)
  .flatMap((r) => METRICS.map(([metric, value]) => ({ population: r.population, series: SERIES[r.algorithm]!, epsilonLabel: epsLabel(r.epsilon), metric, value: value(r) })));
const references: ReferenceLine[] = rows
  .filter((r) => SERIES[r.algorithm] === undefined)
  .flatMap((r) => METRICS.map(([metric, value]) => ({ population: r.population, metric, baseline: REFERENCES[r.algorithm] ?? r.algorithm, value: value(r) })));
const { svg, png } = await renderPrivacyUtilityPlot(points, references, [...EPSILONS].sort((a, b) => a - b).map((e) => epsLabel(Number.isFinite(e) ? e : null)));
await writeFile(join(outDir, 'privacy-utility.svg'), svg);
await writeFile(join(outDir, 'privacy-utility.png'), png);
console.log(`# wrote ${outDir}/{results.csv,results.json,table.md,privacy-utility.svg,privacy-utility.png}`);

const find = (population: string, algorithm: Algorithm, epsilon: number | null = null) => rows.find((r) => r.population === population && r.algorithm === algorithm && r.epsilon === epsilon);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? null : a / b);
const hybridBeauty1 = find('amazon-beauty', 'federated-hybrid', 1);
const centralHybridBeauty = find('amazon-beauty', 'central-hybrid');
const centralMl = find('ml-100k', 'central');
const bestMl8 = ['federated-mf', 'federated-hybrid'].map((a) => find('ml-100k', a as Algorithm, 8)).filter((r): r is Row => r !== undefined);
const bestMl8Hr = bestMl8.length ? Math.max(...bestMl8.map((r) => r.hr10)) : undefined;
const bestMl8Full = bestMl8.length ? Math.max(...bestMl8.map((r) => r.hr10Full)) : undefined;
const hybridOverOnDevice = (population: string) => ratio(find(population, 'federated-hybrid', 2)?.hr10Full, find(population, 'on-device', 2)?.hr10Full);
console.log(
  JSON.stringify({
    seeds: SEEDS.length,
    evalShoppers: EVAL_SHOPPERS,
    rows: rows.length,
    goals: {
      beautyHybridEps1Hr10: hybridBeauty1?.hr10 ?? null,
      beautyHybridEps1Hr10Full: hybridBeauty1?.hr10Full ?? null,
      beautyHybridEps1Met: hybridBeauty1 === undefined ? null : hybridBeauty1.hr10 >= 0.5 && hybridBeauty1.hr10Full >= 0.055,
      // The noise-free, central upper reference: no privacy accounting lifts the federated hybrid above it.
      beautyCentralHybridHr10: centralHybridBeauty?.hr10 ?? null,
      beautyCentralHybridHr10Full: centralHybridBeauty?.hr10Full ?? null,
      beautyCentralHybridOverOnDeviceEps2Full: ratio(centralHybridBeauty?.hr10Full, find('amazon-beauty', 'on-device', 2)?.hr10Full),
      hybridOverOnDeviceEps2FullBeauty: hybridOverOnDevice('amazon-beauty'),
      hybridOverOnDeviceEps2FullSynthetic: hybridOverOnDevice(synthLabel),
      ml100kEps8OverCentralSampled: ratio(bestMl8Hr, centralMl?.hr10),
      ml100kEps8OverCentralFull: ratio(bestMl8Full, centralMl?.hr10Full),
    },
  }),
);
