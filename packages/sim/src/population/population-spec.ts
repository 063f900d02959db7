import type { DatasetSpec } from '../dataset/dataset-spec.js';
import type { SyntheticPopulationConfig } from './synthetic-population-config.js';

/**
 * A population described by plain data, so that worker threads can rebuild
 * the same population the main thread has (synthetic ones from their seed,
 * datasets from their file) instead of receiving every history. The runner's
 * `createPopulation` turns it back into a population.
 */
export type PopulationSpec =
  | { readonly kind: 'synthetic'; readonly config: SyntheticPopulationConfig }
  | { readonly kind: 'dataset'; readonly dataset: DatasetSpec };
