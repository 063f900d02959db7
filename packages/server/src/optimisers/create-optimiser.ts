import type { SharedModel } from '@fedrec/core/model';
import type { OptimiserConfig } from '../config/server-config.js';
import { DenoisedFedAvg } from './denoised-fed-avg.js';
import { FedAdam } from './fed-adam.js';
import { FedAvgM } from './fed-avg-m.js';
import { FedAvg } from './fed-avg.js';
import type { ServerOptimiser } from './server-optimiser.js';

/**
 * The optimiser a configuration names, with fresh state for a model of
 * `length` floats. FedAvg with `denoise` also needs the model it starts from.
 */
export function createOptimiser(config: OptimiserConfig, length: number, start?: SharedModel): ServerOptimiser {
  switch (config.kind) {
    case 'fedavg': {
      const { denoise } = config;
      if (denoise === undefined) return new FedAvg(config, length);
      if (start === undefined) throw new TypeError('expected the starting model for fedavg with denoise');
      if (start.values.length !== length) throw new RangeError(`expected a starting model of ${length} values, got ${start.values.length}`);
      return new DenoisedFedAvg({ learningRate: config.learningRate, denoise }, start);
    }
    case 'fedavgm':
      return new FedAvgM(config, length);
    case 'fedadam':
      return new FedAdam(config, length);
  }
}
