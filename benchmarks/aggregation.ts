/**
 * Aggregation throughput of the FedRec server over socket.io, against bare
 * `ws` and in-process baselines measured in the same run. Run from the repo
 * root:
 *
 *   node --conditions=source --import tsx benchmarks/aggregation.ts [--clients N] [--repeats N] [--quick]
 *
 * Progress goes to stderr; the last line of stdout is one JSON object:
 * {"results": [{"floats", "socketioUpdatesPerSec", "wsUpdatesPerSec", "inProcessUpdatesPerSec", "peakRssMb"}, …]}
 */
import { runAggregationBenchmark, runBenchClients, type AggregationCase } from './src/aggregation.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};

const clientsSpec = flag('--bench-clients');
if (clientsSpec !== undefined) {
  // The client side of the benchmark, in its own process (see src/aggregation.ts).
  await runBenchClients(clientsSpec);
} else {
  const clients = Number(flag('--clients') ?? 8);
  const quick = args.includes('--quick');
  const repeats = Number(flag('--repeats') ?? (quick ? 1 : 3));
  // 1682 and 20000 items (MovieLens-100K and a mid-size shop) at 32 floats per item: 54k and 640k floats.
  const cases: AggregationCase[] = [
    { shape: { numItems: 1682, dim: 31 }, clients, warmupRounds: 5, rounds: quick ? 20 : 60 },
    { shape: { numItems: 20_000, dim: 31 }, clients, warmupRounds: 2, rounds: quick ? 5 : 12 },
  ];
  const results = await runAggregationBenchmark(cases, repeats, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}
