import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { SIMULATION_NODE_OPTIONS } from './simulation-node-options.js';

/**
 * The node options to re-run `fedrec <args>` with, or undefined to run it
 * here: only `simulate` and `worker` (the same client updates, in another
 * process) ask for options, and only those they lack.
 */
export function relaunchOptions(args: readonly string[], execArgv: readonly string[]): string[] | undefined {
  if (args[0] !== 'simulate' && args[0] !== 'worker') return undefined;
  const missing = SIMULATION_NODE_OPTIONS.filter((option) => !execArgv.includes(option));
  return missing.length ? [...missing, ...execArgv] : undefined;
}

/**
 * Run the CLI: in this process, or — when the command wants node options
 * this process lacks — in a child started with them, on the same terminal,
 * whose exit code becomes ours. `entry` is the script that calls `launch`.
 */
export async function launch(entry: string, args: readonly string[]): Promise<number> {
  const options = relaunchOptions(args, process.execArgv);
  if (!options) {
    const { main } = await import('./main.js');
    return main([...args]);
  }
  const child = spawn(process.execPath, [...options, entry, ...args], { stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal itself; stay alive to report its exit.
  const ignore = () => {};
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + constants.signals[signal] : 1)));
    });
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', forward);
    process.off('SIGHUP', forward);
  }
}
