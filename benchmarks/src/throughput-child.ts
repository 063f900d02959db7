/**
 * One copy of the 1-thread throughput run, in a process of its own, for the
 * ceiling in benchmarks/simulation-throughput.ts: it loads the population,
 * warms up, says `ready`, then answers every `go` with the updates/s of one
 * run and exits on `exit`. Several copies run their `go`s at the same time.
 */
import * as tf from '@tensorflow/tfjs';
import { selectNodeBackend } from '@fedrec/client/node';
import { loadBenchmarkPopulation } from './bench-population.js';
import { throughputUpdatesPerSecond } from './throughput-run.js';

export type ThroughputChildMessage = { readonly type: 'ready' } | { readonly type: 'rate'; readonly updatesPerSecond: number };

const send = (message: ThroughputChildMessage) => process.send?.(message);
if (!process.send) throw new Error('throughput-child must be started with fork()');

tf.env().set('PROD', true);
await selectNodeBackend({});
const population = await loadBenchmarkPopulation(process.argv.slice(2), { shoppers: 943, items: 1682 });
await throughputUpdatesPerSecond(population, 1);
process.on('message', (command: unknown) => {
  if (command === 'go') void throughputUpdatesPerSecond(population, 1).then((rate) => send({ type: 'rate', updatesPerSecond: rate }));
  else if (command === 'exit') process.exit(0);
});
send({ type: 'ready' });
