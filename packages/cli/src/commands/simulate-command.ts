/**
 * `fedrec simulate`: its flags, defaults and help. The run itself
 * (`runSimulateCommand` in simulate.ts, with the simulator, the client and
 * TensorFlow.js behind it) is imported only when the command runs, so the
 * other commands (`fedrec server` above all) never load TensorFlow.js.
 */
import type { Command } from 'commander';
import { DEFAULT_E2E_CLIENTS, HYBRID_DEFAULTS, SIMULATE_DEFAULTS } from '@fedrec/sim/defaults';
import type { SimulateOptions } from './simulate.js';

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run DP-FedAvg over a population of virtual shoppers and print accuracy (HR@10, NDCG@10) and privacy spent (ε)')
    .option('--population <spec>', `synthetic:N — N virtual shoppers (default ${SIMULATE_DEFAULTS.population})`)
    .option('--dataset <spec>', 'ml-100k:PATH (u.data) | tsv:PATH (user item timestamp [event]) | seq:PATH[,TIMESTAMPS] (one shopper per line)')
    .option('--catalogue <spec>', "the shop's public catalogue, aligned to the dataset's item ids: attributes-json:PATH (S3-Rec item2attributes.json) | movielens:PATH (u.item) | csv:PATH (item,attribute[,attribute…]); a synthetic population has its own (categories and styles). With it, --algorithm defaults to hybrid")
    .option(
      '--algorithm <name>',
      `federated (DP-FedAvg on matrix factorisation) | hybrid (DP-FedAvg on items built from catalogue attributes and head-item rows, on top of the on-device scorer; a private popularity release takes ${HYBRID_DEFAULTS.model.popularityShare} of ε, default ε ${HYBRID_DEFAULTS.epsilon}, ${HYBRID_DEFAULTS.rounds} rounds at q = ${HYBRID_DEFAULTS.samplingRate}) | central (non-private BPR-MF, same model code) | popularity | on-device (each shopper's history against the catalogue, with a private popularity prior: its one release is the run's ε, default ${SIMULATE_DEFAULTS.onDeviceEpsilon}; --epsilon inf for exact counts). Default: hybrid with --catalogue, else ${SIMULATE_DEFAULTS.algorithm}`,
    )
    .option('--mode <mode>', 'fast (in process, worker threads, no sockets) | e2e (a real server and one socket.io client per shopper on 127.0.0.1)', SIMULATE_DEFAULTS.mode)
    .option('--clients <n>', `e2e mode: shoppers that get a socket.io client (default: all, at most ${DEFAULT_E2E_CLIENTS})`)
    .option('--items <n>', 'catalogue size of a synthetic population', String(SIMULATE_DEFAULTS.items))
    .option('--rounds <n>', 'federated rounds (default: enough for ~10 participations per shopper, 30–150; with noise a quarter of that, at least 10)')
    .option('--central-epochs <n>', 'passes over all shoppers for --algorithm central', String(SIMULATE_DEFAULTS.centralEpochs))
    .option('--q <rate>', 'Poisson sampling rate: each shopper joins a round with this probability (default: an expected cohort of 3% of shoppers, at least 100; with noise 4× that)')
    .option('--cohort <n>', 'expected cohort size (sets q = n / population); alternative to --q')
    .option('--noise <z>', `noise multiplier z: noise std = z × clip (0 = no DP). Default, with no --epsilon, --rounds, --q or --cohort: the ε that z = ${SIMULATE_DEFAULTS.noise} spends on the noise-free schedule, spent on the noise-aware one (4× the cohort, ¼ of the rounds); with any of them, z = ${SIMULATE_DEFAULTS.noise}`)
    .option('--epsilon <e>', 'target ε for the whole run: calibrates z; alternative to --noise')
    .option('--delta <d>', 'δ of the (ε, δ) guarantee', String(SIMULATE_DEFAULTS.delta))
    .option('--clip <c>', 'L2 clip bound C on each update', String(SIMULATE_DEFAULTS.clip))
    .option('--dim <d>', 'embedding dimension', String(SIMULATE_DEFAULTS.dim))
    .option('--server-lr <eta>', 'server learning rate of FedAvg (default auto: from catalogue size, items per shopper and rounds; under noise capped so the run adds noise of std ≤ 1 to each parameter)', SIMULATE_DEFAULTS.serverLr)
    .option('--denoise <threshold>', 'with noise: release the model with each item row soft-thresholded at this multiple of its accumulated noise (0 = off; post-processing, no privacy cost; in e2e mode the server\'s optimiser.denoise)', String(SIMULATE_DEFAULTS.denoise))
    .option('--placement <where>', 'noise placement: distributed (sum carries the noise, as with secure aggregation) | local', SIMULATE_DEFAULTS.placement)
    .option('--accountant <name>', 'privacy accountant for ε, the default target and the calibration of z: rdp (Rényi DP) | pld (privacy loss distributions: tighter, never above rdp)', SIMULATE_DEFAULTS.accountant)
    .option('--adaptive-clip <quantile>', 'adaptive clipping: C follows this quantile of update norms, starting from --clip')
    .option('--eval-shoppers <n>', 'shoppers in the evaluation sample', String(SIMULATE_DEFAULTS.evalShoppers))
    .option('--eval-every <n>', 'evaluate every n rounds', String(SIMULATE_DEFAULTS.evalEvery))
    .option('--seed <s>', 'seed: the same seed gives the same numbers', SIMULATE_DEFAULTS.seed)
    .option('--threads <n>', 'worker threads for client updates (default: one per core); results do not depend on it')
    .option('--cluster <url>', 'compute client updates on `fedrec worker --cluster URL` processes (any number, any machines) through the Redis at redis://HOST:PORT instead of local threads; the numbers are those of a local run')
    .option('--cluster-prefix <prefix>', 'with --cluster: the key prefix the workers were given (default fedrec:sim)')
    .option('--backend <name>', 'tfjs backend: auto | tensorflow | wasm | cpu (default: $FEDREC_BACKEND or auto)')
    .option('--out <dir>', 'write results.json and a per-round rounds.csv into this directory')
    .option('--json', 'print one JSON object with the final results on stdout')
    .action(async (options: SimulateOptions, command: Command) => {
      // Commander fills in the defaults it shows in --help; leave them to planSimulation, so that the plan says which values are defaults.
      const given = Object.fromEntries(Object.entries(options).filter(([key]) => command.getOptionValueSource(key) !== 'default')) as SimulateOptions;
      // The runners (and TensorFlow.js) load only when a simulation runs, not for `fedrec server` or `--help`.
      const { runSimulateCommand } = await import('./simulate.js');
      const result = await runSimulateCommand(given, (line) => process.stderr.write(`${line}\n`));
      if (options.json) process.stdout.write(`${JSON.stringify(result.summary)}\n`);
    });
}
