import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RoundReport } from '@fedrec/sim';

const CSV_COLUMNS = ['round', 'cohort', 'clip_norm', 'clipped_fraction', 'mean_update_norm', 'epsilon', 'hr10', 'ndcg10', 'hr10_full', 'ndcg10_full', 'coverage', 'elapsed_seconds'] as const;

/** One row per round; accuracy columns are empty on rounds without an evaluation. */
export function roundsCsv(reports: readonly RoundReport[]): string {
  // Empty for "not measured" (undefined, or NaN where a mode cannot see it); 'inf' for ε without noise.
  const num = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '' : Number.isFinite(x) ? String(x) : 'inf');
  const rows = reports.map((r) =>
    [r.round, r.cohortSize, r.clipNorm, r.clippedFraction, r.meanUpdateNorm, r.epsilon, r.evaluation?.hr, r.evaluation?.ndcg, r.evaluation?.hrFull, r.evaluation?.ndcgFull, r.evaluation?.coverage, r.elapsedSeconds]
      .map(num)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

/** Write `results.json` (summary and settings) and `rounds.csv` into `dir`. */
export async function writeSimulationResults(dir: string, results: { summary: object; settings: object; rounds: readonly RoundReport[] }): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'results.json');
  const csv = join(dir, 'rounds.csv');
  await writeFile(json, `${JSON.stringify({ summary: results.summary, settings: results.settings }, null, 2)}\n`);
  await writeFile(csv, roundsCsv(results.rounds));
  return [json, csv];
}
