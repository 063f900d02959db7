import type { SecureAggregationConfig } from '../config/server-config.js';
import { plainRounds } from './plain-round.js';
import type { RoundKind } from './round-kind.js';
import { secureRounds, type SecureRoundHooks } from './secure-round.js';

export interface RoundKindSettings {
  /** SecAgg+ for every round when enabled. */
  readonly secureAggregation?: SecureAggregationConfig | undefined;
  /** The L2 bound on one plain update in rounds without DP parameters (`limits.maxUpdateNorm`). */
  readonly maxUpdateNormWithoutPrivacy?: number | undefined;
}

/**
 * The one place that decides, from the config, which kind of round the
 * server runs. Every round of a server is of the same kind. A new kind is a
 * class implementing `AggregationRound`, an opener like `plainRounds`, and a
 * branch here.
 */
export function chooseRoundKind(settings: RoundKindSettings, hooks: SecureRoundHooks): RoundKind {
  if (settings.secureAggregation?.enabled === true) return secureRounds(settings.secureAggregation, hooks);
  return plainRounds(settings.maxUpdateNormWithoutPrivacy ?? Number.POSITIVE_INFINITY);
}
