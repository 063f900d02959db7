import type { DeclineReasonName } from '@fedrec/core';

/**
 * Why the shopper's device sat a round out: `consent` (not, or no longer,
 * `contribute`), `no-privacy` (the round announced no DP parameters, so the
 * device cannot tell what taking part would cost) or `budget` (taking part
 * would take the device's ε above its personal budget). The same names the
 * device tells the server (`DeclineReasonName`), which counts them in `/status`.
 */
export type DeclineReason = Exclude<DeclineReasonName, 'other'>;
