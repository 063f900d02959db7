/**
 * `fedrec worker`: its flags and help. The worker itself (`runWorkerCommand`
 * in worker.ts, with the simulator and TensorFlow.js behind it) is imported
 * only when the command runs, as for `fedrec simulate`.
 */
import type { Command } from 'commander';
import type { WorkerOptions } from './worker.js';

/** Defaults shown in --help; kept here so that --help loads no simulator code. */
const DEFAULT_PREFIX = 'fedrec:sim';
const DEFAULT_CLAIM_IDLE_MS = 10_000;

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'compute client updates for `fedrec simulate --cluster URL`: start any number, on any machines that reach the Redis (one per core); ' +
        'each takes chunks of a round\'s cohort from the stream, rebuilds the population from the job (a dataset path must exist on this machine too) and returns partial sums. ' +
        'The numbers do not depend on how many workers run or which one computes what. SIGINT/SIGTERM stop it after the chunk in hand.',
    )
    .requiredOption('--cluster <url>', 'redis://HOST:PORT of the Redis the runner posts chunks to')
    .option('--cluster-prefix <prefix>', 'key prefix shared with the runner (several clusters can share one Redis)', DEFAULT_PREFIX)
    .option('--claim-idle <ms>', "take over a chunk another worker has held this long without answering (it is presumed dead; a late answer is ignored, so too short only wastes work)", String(DEFAULT_CLAIM_IDLE_MS))
    .option('--backend <name>', 'tfjs backend: auto | tensorflow | wasm | cpu (default: $FEDREC_BACKEND or auto)')
    .option('--json', 'print one JSON object per event (connected, job, claimed, failed, dropped, stopped) on stdout')
    .addHelpText(
      'after',
      '\nExample (two machines and a Redis at 10.0.0.5):\n' +
        '  machine A, B:  for i in $(seq $(nproc)); do fedrec worker --cluster redis://10.0.0.5:6379 & done\n' +
        '  anywhere:      fedrec simulate --cluster redis://10.0.0.5:6379 --population synthetic:1000000\n' +
        '\nExit codes: 0 stopped by a signal, 1 Redis unreachable or the connection lost, 2 a bad flag.',
    )
    .action(async (options: WorkerOptions) => {
      const { runWorkerCommand } = await import('./worker.js');
      await runWorkerCommand(options, (line) => process.stderr.write(`${line}\n`), (json) => process.stdout.write(`${json}\n`));
    });
}
