import { DatasetError } from './dataset-error.js';
import type { DatasetSpec } from './dataset-spec.js';
import { loadEventFile } from './event-file.js';
import { loadMovieLens100k } from './movielens.js';
import type { RecordedPopulation } from './recorded-population.js';
import { loadSequenceFile } from './sequence-file.js';

/**
 * Load a recorded dataset as a `Population` the simulator and the baselines
 * run on. Files are streamed; see each loader for its format.
 *
 * @example
 * const population = await loadDataset(parseDatasetSpec('ml-100k:data/ml-100k/u.data'));
 * console.log(datasetSummary(population)); // { shoppers: 943, items: 1682, events: 100000, … }
 */
export async function loadDataset(spec: DatasetSpec): Promise<RecordedPopulation> {
  if (spec.timestampsPath !== undefined && spec.kind !== 'seq') {
    throw new DatasetError('BAD_SPEC', `a timestamps file is only read with kind 'seq', got kind '${spec.kind}'`, spec.timestampsPath);
  }
  switch (spec.kind) {
    case 'ml-100k':
      return loadMovieLens100k(spec.path);
    case 'tsv':
      return loadEventFile(spec.path);
    case 'seq':
      return loadSequenceFile(spec.path, spec.timestampsPath);
    default: {
      // A spec built at runtime (JSON, a config file) can carry any kind.
      const kind: unknown = (spec as { kind: unknown }).kind;
      throw new DatasetError('BAD_SPEC', `expected kind 'ml-100k', 'tsv' or 'seq', got ${JSON.stringify(kind)}`);
    }
  }
}
