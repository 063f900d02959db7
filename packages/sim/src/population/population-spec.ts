import { SyntheticPopulation } from './synthetic-population.js';
import type { SyntheticPopulationConfig } from './synthetic-population.js';
import type { Population } from './population.js';
import type { DatasetSpec } from '../dataset/dataset-spec.js';
import { loadDataset } from '../dataset/load-dataset.js';

/**
 * A population described by plain data, so that worker threads can rebuild
 * the same population the main thread has (synthetic ones from their seed,
 * datasets from their file) instead of receiving every history.
 */
export type PopulationSpec =
  | { readonly kind: 'synthetic'; readonly config: SyntheticPopulationConfig }
  | { readonly kind: 'dataset'; readonly dataset: DatasetSpec };

export async function createPopulation(spec: PopulationSpec): Promise<Population> {
  switch (spec.kind) {
    case 'synthetic':
      return new SyntheticPopulation(spec.config);
    case 'dataset':
      return loadDataset(spec.dataset);
  }
}
