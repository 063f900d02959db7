/**
 * SecAgg+ against plain aggregation, per round, for n ∈ {10, 50, 100, 200}
 * clients and the MovieLens-100k model (1,682 items × 32 + biases): client
 * compute, server compute, bytes per client; plus server compute at 10% and
 * 30% dropout (after sharing keys) for n = 100. Run from the repo root:
 *
 *   node --conditions=source --import tsx benchmarks/secure-aggregation.ts [--cohorts 10,50,100,200]
 *
 * Progress, with the client's time per step and the server's per stage, goes
 * to stderr; the last line of stdout is one JSON object:
 * {"results": [{"n", "d", "clientMsSecagg", "clientMsPlain", "serverMsSecagg", "serverMsPlain", "bytesSecagg", "bytesPlain", "neighbours", "clientMsPrimitiveFloor"}, …], "dropout": [{"n", "d", "dropout", "serverMsSecagg"}, …]}
 * (milliseconds, medians of 3 interleaved runs; client figures are the mean over the cohort).
 * `clientMsPrimitiveFloor` is what any SecAgg+ client with that many
 * neighbours must spend on X25519 and mask expansion alone, timed with the
 * same primitives: the client goal (≤ 3× plain) cannot be met below it.
 */
import { runSecureAggregationBenchmark } from './src/secure-aggregation.js';

const args = process.argv.slice(2);
const at = args.indexOf('--cohorts');
const cohorts = at >= 0 ? (args[at + 1] ?? '').split(',').map(Number) : [10, 50, 100, 200];
if (cohorts.length === 0 || cohorts.some((n) => !Number.isInteger(n) || n < 3)) throw new RangeError(`expected --cohorts to be integers >= 3, got ${args[at + 1]}`);

const result = await runSecureAggregationBenchmark(
  { cohorts, numItems: 1682, dim: 32, dropoutCohort: cohorts.includes(100) ? 100 : cohorts[cohorts.length - 1]!, dropoutRates: [0.1, 0.3], repeats: 3 },
  (line) => process.stderr.write(`${line}\n`),
);
process.stdout.write(`${JSON.stringify(result)}\n`);
