import type { EventEmitter } from 'node:events';
import type { RandomSource } from '@fedrec/core/random';
import type { Logger } from 'pino';
import type { ResolvedServerConfig } from '../config/server-config.js';
import { ServerError } from '../server-error.js';
import type { FedRecServerEvents } from '../server-events.js';
import { ServerPrivacy } from './server-privacy.js';

/** The server's DP accountant when `privacy` is configured (the schema has ensured Poisson sampling), else null. */
export function createServerPrivacy(
  config: ResolvedServerConfig,
  logger: Logger,
  events: EventEmitter<FedRecServerEvents>,
  noiseSource: RandomSource | undefined,
): ServerPrivacy | null {
  if (config.privacy === undefined) return null;
  const { sampling } = config.rounds;
  if (sampling.kind !== 'poisson') throw new ServerError('INVALID_CONFIG', 'rounds.sampling: privacy needs Poisson sampling');
  // Distributed noise under SecAgg is charged through a bound that is loose at
  // fractional orders below 2: an integer-order ledger charges it a larger z
  // (1.1x at q = 0.5, 1.6x at q = 0.01 in effectiveNoiseMultiplier's example).
  const secureDistributed = config.secureAggregation?.enabled === true && config.privacy.placement === 'distributed';
  return new ServerPrivacy(config.privacy, sampling.rate, {
    ...(noiseSource !== undefined ? { noiseSource } : {}),
    ...(secureDistributed ? { ledgerOrders: 'integer' as const } : {}),
    onExhausted: (spend) => {
      logger.warn(spend, 'privacy budget exhausted: the next round would exceed the target epsilon, so no more rounds open and the model is frozen');
      events.emit('budgetExhausted', spend);
    },
  });
}
