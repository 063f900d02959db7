/**
 * Node options `fedrec simulate` runs under.
 *
 * `--single-threaded-gc`: a simulation keeps every core busy with worker
 * threads, and the background tasks of V8's parallel and concurrent garbage
 * collectors (one pool per process, shared by all its isolates) then
 * compete with them for the same cores. Without those tasks each thread
 * collects its own garbage on its own time. On the 2-core machine of
 * benchmarks/simulation-throughput.ts: 1.73–1.76× the 1-thread rate with
 * the default collector, 1.84–1.89× with this flag, in separate runs.
 *
 * V8 reads it only at start-up: NODE_OPTIONS refuses it and setting it at
 * run time aborts the process, so the command re-runs itself with it.
 */
export const SIMULATION_NODE_OPTIONS: readonly string[] = ['--single-threaded-gc'];
