import { Command, CommanderError } from 'commander';
import { RunError } from './run-error.js';
import { UsageError } from './usage-error.js';
import { registerSimulateCommand } from './commands/simulate-command.js';
import { registerServerCommand } from './commands/server.js';
import { registerPrivacyCommand } from './commands/privacy.js';
import { registerCatalogueCommand } from './commands/catalogue.js';
import { registerWorkerCommand } from './commands/worker-command.js';

/** The `fedrec` command tree. Subcommands register themselves from `commands/`. */
export function buildProgram(): Command {
  const program = new Command('fedrec')
    .description('FedRec: privacy-preserving federated recommendations (simulate, serve, account for privacy)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerSimulateCommand(program);
  registerServerCommand(program);
  registerPrivacyCommand(program);
  registerCatalogueCommand(program);
  registerWorkerCommand(program);
  // Subcommands inherit exit override, so parse errors surface as CommanderError.
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * Run the CLI and return its exit code: 0 success, 1 a failed run, 2 a usage
 * error (unknown option, missing or invalid argument).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.help') return 0;
      return 2; // commander has already printed its message
    }
    if (error instanceof UsageError) {
      process.stderr.write(`fedrec: ${error.message}\n`);
      return 2;
    }
    if (error instanceof RunError) {
      process.stderr.write(`fedrec: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`fedrec: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
