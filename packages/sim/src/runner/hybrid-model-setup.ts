import { deriveSeed } from '@fedrec/core/random';
import { createSharedModel } from '@fedrec/core/model';
import { attributeIdf } from '@fedrec/core/catalogue';
import type { Catalogue } from '@fedrec/core/catalogue';
import { buildFeatureMap, rowStepScales } from '@fedrec/core/hybrid';
import type { FeatureMap } from '@fedrec/core/hybrid';
import type { Population } from '../population/population.js';
import type { HybridRunSettings } from './federated-simulation.js';
import type { HybridModelSettings } from './hybrid-model-settings.js';

export interface HybridModelSetup extends HybridRunSettings {
  readonly features: FeatureMap;
  readonly rowStepScales: Float32Array;
}

/**
 * Everything the hybrid model is built from, given the item counts it may
 * use (released and shrunk, or exact): the feature map (identity rows for
 * the most counted items), the fixed prior, the starting table, what devices
 * train and score with, and each row's server step. One function, so that
 * the federated run (`runHybridSimulation`) and its central reference
 * (`trainCentralHybrid`) train and score the very same model.
 */
export function hybridModelSetup(population: Population, catalogue: Catalogue, counts: Float32Array, settings: HybridModelSettings, dim: number, seed: string | number): HybridModelSetup {
  if (catalogue.itemIds.length !== population.numItems) {
    throw new RangeError(`expected a catalogue aligned to the population's ${population.numItems} items, got ${catalogue.itemIds.length}`);
  }
  const byCount = Array.from(counts.keys()).sort((a, b) => counts[b]! - counts[a]! || a - b);
  const features = buildFeatureMap(catalogue, { identityItems: byCount.slice(0, Math.min(settings.identityItems, population.numItems)) });
  const prior = Float32Array.from(counts, (c) => settings.priorWeight * Math.log1p(c));
  const idf = attributeIdf(catalogue);
  return {
    features,
    // Biases start at 0: the prior carries popularity from the start.
    initialModel: createSharedModel({ numItems: features.numFeatures, dim }, { seed: deriveSeed(seed, 'hybrid'), initStd: settings.initScale }),
    client: {
      features,
      prior,
      ...(settings.training === undefined ? {} : { training: settings.training }),
      ...(settings.boostHistory ? { history: { catalogue, idf, weight: settings.historyWeight } } : {}),
    },
    scoring: { features, catalogue, idf, prior, historyWeight: settings.historyWeight },
    rowStepScales: rowStepScales(features, counts, population.numShoppers, settings.rowRateFloor),
  };
}
