/**
 * `fedrec privacy`: the privacy accountants on the command line, for
 * planning a training run's privacy budget before starting it and for
 * scripts that check one.
 *
 *   fedrec privacy epsilon --delta D --mechanism Q,SIGMA,STEPS [--mechanism …] [--accountant rdp|pld] [--orders …] [--conversion …] [--json]
 *   fedrec privacy rdp --mechanism Q,SIGMA,STEPS [--mechanism …] [--orders …] [--json]
 *   fedrec privacy sigma --epsilon E --delta D --q Q --steps T [--accountant rdp|pld] [--orders …] [--conversion …] [--json]
 *
 * `--accountant pld` (privacy loss distributions) reports min(ε_PLD, ε_RDP)
 * and prints {"epsilon", "accountant": "pld", "rdpEpsilon"} (there is no
 * order); the default, rdp, prints what it always has.
 *
 * With --json each prints exactly one JSON object on one line; without it, a
 * short line for people. Bad values throw UsageError (exit code 2), worded
 * "--option: expected …, got …" (as in ../parse-options.ts) so the user knows
 * which flag to fix.
 */
import { Command, CommanderError } from 'commander';
import {
  ACCOUNTANT_NAMES,
  RDP_ORDER_PRESETS,
  DEFAULT_RDP_ORDER_PRESET,
  calibrateNoiseMultiplier,
  composeRdp,
  isAccountantName,
  isDpConversion,
  pldEpsilon,
  isRdpOrderPresetName,
  rdpToEpsilon,
} from '@fedrec/core/privacy';
import type { AccountantName, DpConversion, SubsampledGaussianMechanism } from '@fedrec/core/privacy';
import { UsageError } from '../usage-error.js';

/** Where the commands print; the CLI passes stdout, tests pass a buffer. */
export type PrivacyOutput = (text: string) => void;

/** Orders as given on the command line: the preset's name (for messages) and the list. */
export interface ParsedOrders {
  readonly name: string;
  readonly orders: readonly number[];
}

const DEFAULT_CONVERSION: DpConversion = 'improved';
// Plain decimal or scientific notation only: Number() would also accept '',
// ' ', '0x10' and 'Infinity', none of which anyone means as a probability.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const PRESET_LIST = Object.keys(RDP_ORDER_PRESETS).join(', ');

function parseNumber(text: string, what: string): number {
  const trimmed = text.trim();
  const value = DECIMAL.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(value)) throw new UsageError(`${what}: expected a number, got '${text}'`);
  return value;
}

function parseSamplingRate(text: string, what: string): number {
  const q = parseNumber(text, what);
  if (!(q >= 0 && q <= 1)) throw new UsageError(`${what}: expected q in [0, 1], got ${q}`);
  return q;
}

function parseNoiseMultiplier(text: string, what: string): number {
  const sigma = parseNumber(text, what);
  if (!(sigma > 0)) throw new UsageError(`${what}: expected sigma > 0, got ${sigma}`);
  return sigma;
}

function parseSteps(text: string, what: string): number {
  const steps = parseNumber(text, what);
  if (!Number.isSafeInteger(steps) || steps < 0) {
    throw new UsageError(`${what}: expected steps to be a non-negative integer, got ${steps}`);
  }
  return steps;
}

/** δ from `--delta`: a probability strictly between 0 and 1. */
export function parseDelta(text: string | undefined, what = '--delta'): number {
  if (text === undefined) throw new UsageError(`${what}: expected a value in (0, 1), got nothing`);
  const delta = parseNumber(text, what);
  if (!(delta > 0 && delta < 1)) throw new UsageError(`${what}: expected delta in (0, 1), got ${delta}`);
  return delta;
}

/** Target ε from `--epsilon`: finite and > 0. */
export function parseTargetEpsilon(text: string | undefined, what = '--epsilon'): number {
  if (text === undefined) throw new UsageError(`${what}: expected a value > 0, got nothing`);
  const epsilon = parseNumber(text, what);
  if (!(epsilon > 0)) throw new UsageError(`${what}: expected epsilon > 0, got ${epsilon}`);
  return epsilon;
}

/** One `--mechanism Q,SIGMA,STEPS`, e.g. `0.01,1.1,1000`. */
export function parseMechanism(text: string): SubsampledGaussianMechanism {
  const what = `--mechanism '${text}'`;
  const parts = text.split(',');
  if (parts.length !== 3) {
    throw new UsageError(`--mechanism: expected Q,SIGMA,STEPS (e.g. 0.01,1.1,1000), got '${text}'`);
  }
  const [q, sigma, steps] = parts as [string, string, string];
  return {
    samplingRate: parseSamplingRate(q, what),
    noiseMultiplier: parseNoiseMultiplier(sigma, what),
    steps: parseSteps(steps, what),
  };
}

/** `--orders`: a preset name or a comma-separated list of orders > 1; the dp-accounting preset when omitted. */
export function parseOrders(text: string | undefined): ParsedOrders {
  if (text === undefined) return { name: DEFAULT_RDP_ORDER_PRESET, orders: RDP_ORDER_PRESETS[DEFAULT_RDP_ORDER_PRESET] };
  const trimmed = text.trim();
  if (isRdpOrderPresetName(trimmed)) return { name: trimmed, orders: RDP_ORDER_PRESETS[trimmed] };
  const parts = trimmed.split(',');
  const looksNumeric = parts.every((part) => DECIMAL.test(part.trim()));
  if (!looksNumeric) {
    throw new UsageError(`--orders: expected a preset (${PRESET_LIST}) or comma-separated orders > 1, got '${text}'`);
  }
  const orders = parts.map((part) => {
    const order = parseNumber(part, '--orders');
    if (!(order > 1)) throw new UsageError(`--orders: expected every order > 1, got ${order}`);
    return order;
  });
  return { name: 'custom', orders };
}

/** `--conversion`: improved (default) or classic. */
export function parseConversion(text: string | undefined): DpConversion {
  if (text === undefined) return DEFAULT_CONVERSION;
  const trimmed = text.trim();
  if (!isDpConversion(trimmed)) throw new UsageError(`--conversion: expected improved or classic, got '${text}'`);
  return trimmed;
}

/** `--accountant`: rdp (default) or pld. */
export function parseAccountant(text: string | undefined): AccountantName {
  if (text === undefined) return 'rdp';
  const trimmed = text.trim();
  if (!isAccountantName(trimmed)) throw new UsageError(`--accountant: expected ${ACCOUNTANT_NAMES.join(' or ')}, got '${text}'`);
  return trimmed;
}

function parseMechanisms(texts: readonly string[] | undefined): SubsampledGaussianMechanism[] {
  if (texts === undefined || texts.length === 0) {
    throw new UsageError('--mechanism: expected at least one Q,SIGMA,STEPS (e.g. 0.01,1.1,1000), got none');
  }
  return texts.map(parseMechanism);
}

/** JSON cannot carry Infinity; an infinite ε means the settings give no guarantee at all. */
function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new UsageError(`expected settings with a finite ${name}, got ${name} = ${value} (no privacy guarantee)`);
  }
}

function short(value: number): string {
  return String(Number(value.toPrecision(6)));
}

function collect(value: string, previous: readonly string[]): string[] {
  return [...previous, value];
}

interface EpsilonFlags {
  delta?: string;
  mechanism?: string[];
  orders?: string;
  conversion?: string;
  accountant?: string;
  json?: boolean;
}

interface RdpFlags {
  mechanism?: string[];
  orders?: string;
  json?: boolean;
}

interface SigmaFlags {
  epsilon?: string;
  delta?: string;
  q?: string;
  steps?: string;
  orders?: string;
  conversion?: string;
  accountant?: string;
  json?: boolean;
}

function runEpsilon(flags: EpsilonFlags, write: PrivacyOutput): void {
  const delta = parseDelta(flags.delta);
  const mechanisms = parseMechanisms(flags.mechanism);
  const { name, orders } = parseOrders(flags.orders);
  const conversion = parseConversion(flags.conversion);
  const accountant = parseAccountant(flags.accountant);
  const { epsilon, order } = rdpToEpsilon(orders, composeRdp(mechanisms, orders), delta, conversion);
  if (accountant === 'pld') {
    // Both bounds hold, so the smaller does: never above RDP's.
    const pld = Math.min(epsilon, pldEpsilon(mechanisms, delta));
    if (flags.json === true) {
      assertFinite('epsilon', pld);
      write(`${JSON.stringify({ epsilon: pld, accountant, rdpEpsilon: epsilon })}\n`);
    } else {
      write(`epsilon = ${short(pld)} at delta = ${delta} (PLD accountant; RDP gives ${short(epsilon)})\n`);
    }
    return;
  }
  if (flags.json === true) {
    assertFinite('epsilon', epsilon);
    write(`${JSON.stringify({ epsilon, order })}\n`);
  } else {
    write(`epsilon = ${short(epsilon)} at delta = ${delta} (order ${order}, ${conversion} conversion, ${name} orders)\n`);
  }
}

function runRdp(flags: RdpFlags, write: PrivacyOutput): void {
  const mechanisms = parseMechanisms(flags.mechanism);
  const { orders } = parseOrders(flags.orders);
  const rdp = composeRdp(mechanisms, orders);
  if (flags.json === true) {
    rdp.forEach((value) => assertFinite('RDP', value));
    write(`${JSON.stringify({ orders: [...orders], rdp })}\n`);
  } else {
    write(orders.map((order, k) => `order ${order}: RDP ${short(rdp[k] as number)}`).join('\n') + '\n');
  }
}

function runSigma(flags: SigmaFlags, write: PrivacyOutput): void {
  const targetEpsilon = parseTargetEpsilon(flags.epsilon);
  const delta = parseDelta(flags.delta);
  if (flags.q === undefined) throw new UsageError('--q: expected a sampling rate in [0, 1], got nothing');
  const samplingRate = parseSamplingRate(flags.q, '--q');
  if (flags.steps === undefined) throw new UsageError('--steps: expected a non-negative integer, got nothing');
  const steps = parseSteps(flags.steps, '--steps');
  const { name, orders } = parseOrders(flags.orders);
  const conversion = parseConversion(flags.conversion);
  const accountant = parseAccountant(flags.accountant);
  let calibrated;
  try {
    calibrated = calibrateNoiseMultiplier({ targetEpsilon, delta, samplingRate, steps, orders, conversion, accountant });
  } catch (error) {
    // An unreachable target is a question with no answer, not a crash.
    if (error instanceof RangeError) throw new UsageError(`--epsilon: ${error.message}`);
    throw error;
  }
  const { noiseMultiplier: sigma, epsilon } = calibrated;
  if (flags.json === true) {
    write(`${JSON.stringify(accountant === 'pld' ? { sigma, epsilon, accountant } : { sigma, epsilon })}\n`);
  } else {
    const how = accountant === 'pld' ? 'PLD accountant' : `${conversion} conversion, ${name} orders`;
    write(`sigma = ${short(sigma)} gives epsilon = ${short(epsilon)} at delta = ${delta} (q = ${samplingRate}, ${steps} steps, ${how})\n`);
  }
}

const MECHANISM_HELP = 'one mechanism as Q,SIGMA,STEPS (sampling rate, noise multiplier, steps); repeat to compose';
const ORDERS_HELP = `Rényi orders: a preset (${PRESET_LIST}) or a list a,b,c (default: ${DEFAULT_RDP_ORDER_PRESET})`;
const CONVERSION_HELP = 'RDP to (epsilon, delta) conversion: improved or classic (default: improved)';
const ACCOUNTANT_HELP = 'rdp (Rényi DP, default) or pld (privacy loss distributions: tighter, never above rdp)';

/** Adds `privacy epsilon|rdp|sigma` to `program`. */
export function registerPrivacyCommand(program: Command, write: PrivacyOutput = (text) => void process.stdout.write(text)): void {
  const privacy = program
    .command('privacy')
    .description('Rényi-DP or PLD accounting for the Poisson-subsampled Gaussian mechanism (DP-SGD / DP-FedAvg)');

  privacy
    .command('epsilon')
    .description('epsilon spent by one or more mechanisms at a given delta')
    .option('--delta <D>', 'target delta, in (0, 1)')
    .option('--mechanism <Q,SIGMA,STEPS>', MECHANISM_HELP, collect, [])
    .option('--orders <PRESET|a,b,c>', ORDERS_HELP)
    .option('--conversion <NAME>', CONVERSION_HELP)
    .option('--accountant <NAME>', ACCOUNTANT_HELP)
    .option('--json', 'print {"epsilon": number, "order": number} (pld: {"epsilon", "accountant", "rdpEpsilon"})')
    .action((_options: unknown, command: Command) => runEpsilon(command.opts<EpsilonFlags>(), write));

  privacy
    .command('rdp')
    .description('composed RDP of one or more mechanisms at each order')
    .option('--mechanism <Q,SIGMA,STEPS>', MECHANISM_HELP, collect, [])
    .option('--orders <PRESET|a,b,c>', ORDERS_HELP)
    .option('--json', 'print {"orders": number[], "rdp": number[]}')
    .action((_options: unknown, command: Command) => runRdp(command.opts<RdpFlags>(), write));

  privacy
    .command('sigma')
    .description('smallest noise multiplier keeping STEPS steps at sampling rate Q within (epsilon, delta)')
    .option('--epsilon <E>', 'target epsilon, > 0')
    .option('--delta <D>', 'target delta, in (0, 1)')
    .option('--q <Q>', 'sampling rate, in [0, 1]')
    .option('--steps <T>', 'number of steps (rounds)')
    .option('--orders <PRESET|a,b,c>', ORDERS_HELP)
    .option('--conversion <NAME>', CONVERSION_HELP)
    .option('--accountant <NAME>', ACCOUNTANT_HELP)
    .option('--json', 'print {"sigma": number, "epsilon": number} (pld: and "accountant")')
    .action((_options: unknown, command: Command) => runSigma(command.opts<SigmaFlags>(), write));
}

/**
 * Runs `fedrec privacy <argv…>` in-process and returns what it printed: the
 * seam for tests and for tools that embed the accountant. Commander's own
 * parse errors (unknown option, missing option value) are rethrown as
 * UsageError here so callers see one error type for bad input.
 */
export function runPrivacyCommand(argv: readonly string[]): { stdout: string } {
  let stdout = '';
  const program = new Command('fedrec')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        stdout += text;
      },
      writeErr: () => {},
    });
  registerPrivacyCommand(program, (text) => {
    stdout += text;
  });
  try {
    program.parse(['privacy', ...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && error.code === 'commander.help' && error.exitCode !== 0) {
      // `privacy` alone: commander printed the help and gave up.
      throw new UsageError('expected a subcommand: epsilon, rdp or sigma');
    }
    if (error instanceof CommanderError && error.exitCode !== 0) {
      throw new UsageError(error.message.replace(/^error: /, ''));
    }
    if (error instanceof CommanderError) return { stdout };
    throw error;
  }
  return { stdout };
}
