/**
 * What the privacy accountant costs: ε for 10,000 rounds (closed form and a
 * ledger of 10,000 alternating records), calibrating z for a 10,000-round
 * budget, and the server's per-round bookkeeping. Run from the repo root:
 *
 *   node --conditions=source --import tsx benchmarks/accountant.ts [--rounds N] [--repeats N]
 *
 * Progress goes to stderr; the last line of stdout is one JSON object:
 * {"epsilon10kRoundsMs", "ledger10kRecordsMs", "calibrationMs", "rdpVectorMs", "serverRoundMs", …}
 * (medians, in milliseconds).
 */
import { runAccountantBenchmark } from './src/accountant.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`expected ${name} to be a positive integer, got ${args[at + 1]}`);
  return value;
};

const result = runAccountantBenchmark(
  { rounds: flag('--rounds', 10_000), repeats: flag('--repeats', 7), samplingRate: 0.01, delta: 1e-5, targetEpsilon: 2 },
  (line) => process.stderr.write(`${line}\n`),
);
process.stdout.write(`${JSON.stringify(result)}\n`);
