/** Why the device sat a round out. */
export type DeclineReason =
  /** Consent is not `contribute` (any more). */
  | 'consent'
  /** The round announced no DP parameters, so the device cannot tell what taking part would cost. */
  | 'no-privacy'
  /** Taking part would take the device's ε above its personal budget. */
  | 'budget';
