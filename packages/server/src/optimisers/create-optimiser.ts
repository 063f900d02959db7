import type { OptimiserConfig } from '../config/server-config.js';
import { FedAdam } from './fed-adam.js';
import { FedAvgM } from './fed-avg-m.js';
import { FedAvg } from './fed-avg.js';
import type { ServerOptimiser } from './server-optimiser.js';

/** The optimiser a configuration names, with fresh state for a model of `length` floats. */
export function createOptimiser(config: OptimiserConfig, length: number): ServerOptimiser {
  switch (config.kind) {
    case 'fedavg':
      return new FedAvg(config, length);
    case 'fedavgm':
      return new FedAvgM(config, length);
    case 'fedadam':
      return new FedAdam(config, length);
  }
}
