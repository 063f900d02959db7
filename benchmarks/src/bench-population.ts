import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SyntheticPopulation, loadDataset, parseDatasetSpec } from '@fedrec/sim';
import type { Population } from '@fedrec/sim';

/** Where the shared datasets live beside the repo (never copied into it). */
export const SHARED_ML100K = fileURLToPath(new URL('../../../shared/data/ml-100k/u.data', import.meta.url));

/**
 * The population a benchmark runs on: `--dataset ml-100k:PATH` if given,
 * else the shared MovieLens-100K file if present, else a synthetic stand-in
 * of the given size.
 */
export async function loadBenchmarkPopulation(argv: readonly string[], fallback: { shoppers: number; items: number }): Promise<Population> {
  const flag = argv.indexOf('--dataset');
  const spec = flag >= 0 ? argv[flag + 1] : existsSync(SHARED_ML100K) ? `ml-100k:${SHARED_ML100K}` : undefined;
  if (spec) return loadDataset(parseDatasetSpec(spec));
  return new SyntheticPopulation({ shoppers: fallback.shoppers, items: fallback.items, meanSessions: 8, seed: 'bench' });
}
