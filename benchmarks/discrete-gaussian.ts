/**
 * What one client's exact discrete Gaussian noise costs: `discreteGaussianVector`
 * for d coordinates (default 55,506 = MovieLens-100K's 1682 items × 33) at
 * several σ², against continuous Gaussian noise (`gaussianVector`, σ = √σ²)
 * measured in the same run, interleaved, so a busy machine slows both alike.
 * Both draw from the cryptographic source, as on a real device. Run from the
 * repo root:
 *
 *   node --conditions=source --import tsx benchmarks/discrete-gaussian.ts [--length N] [--repeats N] [--variances 1,100,1e4]
 *
 * Progress goes to stderr; the last line of stdout is one JSON object:
 * {"length", "repeats", "firstCallMs", "results": [{"sigmaSquared", "discreteMs", "discreteMinMs", "continuousMs", "ratio"}, …]}
 * (medians of `repeats` runs after warm-up, in milliseconds; ratio = discrete/continuous).
 */
import { createCryptoRandomSource, discreteGaussianVector, gaussianVector } from '@fedrec/core';
import { median } from './src/stats.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const positiveInteger = (name: string, fallback: number): number => {
  const value = Number(flag(name) ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`expected ${name} to be a positive integer, got ${flag(name)}`);
  return value;
};

const length = positiveInteger('--length', 55_506);
const repeats = positiveInteger('--repeats', 15);
const variances = (flag('--variances') ?? '1,100,1e4,1e6,1e8,1e12').split(',').map((text) => {
  const value = Number(text);
  if (!(value > 0 && Number.isFinite(value))) throw new RangeError(`expected --variances to list positive numbers, got ${text}`);
  return value;
});

const random = createCryptoRandomSource();
const time = (run: () => unknown): number => {
  const started = performance.now();
  run();
  return performance.now() - started;
};

// The first call also builds the sampler's tables and runs cold code.
const firstCallMs = time(() => discreteGaussianVector(random, length, variances[0]!));
for (let i = 0; i < 3; i++) {
  for (const s2 of variances) discreteGaussianVector(random, length, s2);
  gaussianVector(length, 1, random);
}

const results = variances.map((sigmaSquared) => {
  const discrete: number[] = [];
  const continuous: number[] = [];
  for (let r = 0; r < repeats; r++) {
    discrete.push(time(() => discreteGaussianVector(random, length, sigmaSquared)));
    continuous.push(time(() => gaussianVector(length, Math.sqrt(sigmaSquared), random)));
  }
  const discreteMs = median(discrete);
  const continuousMs = median(continuous);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  const row = { sigmaSquared, discreteMs: round(discreteMs), discreteMinMs: round(Math.min(...discrete)), continuousMs: round(continuousMs), ratio: round(discreteMs / continuousMs) };
  process.stderr.write(`σ² = ${sigmaSquared}: discrete ${row.discreteMs} ms (min ${row.discreteMinMs}), continuous ${row.continuousMs} ms\n`);
  return row;
});
process.stdout.write(`${JSON.stringify({ length, repeats, firstCallMs: Math.round(firstCallMs * 1000) / 1000, results })}\n`);
