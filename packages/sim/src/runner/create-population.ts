import { loadDataset } from '../dataset/load-dataset.js';
import type { Population } from '../population/population.js';
import type { PopulationSpec } from '../population/population-spec.js';
import { SyntheticPopulation } from '../population/synthetic-population.js';

/**
 * Builds the population a spec describes: what a worker thread does to get the
 * main thread's population. It lives in the runner, the one place that needs
 * both kinds, so that `population/` and `dataset/` do not import each other's
 * code (a recorded dataset is a population; a population does not load files).
 */
export async function createPopulation(spec: PopulationSpec): Promise<Population> {
  switch (spec.kind) {
    case 'synthetic':
      return new SyntheticPopulation(spec.config);
    case 'dataset':
      return loadDataset(spec.dataset);
  }
}
