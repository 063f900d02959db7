import type { HybridTrainingConfig } from '@fedrec/core/hybrid';

/** The hybrid model's own choices; `HYBRID_DEFAULTS` says what each is by default and why. */
export interface HybridModelSettings {
  /** Share of a finite `targetEpsilon` spent on the popularity release (the rounds get the rest, composed in one ledger). */
  readonly popularityShare: number;
  /** k of the popularity release. */
  readonly popularityItemsPerShopper: number;
  /** Items given an identity row: the most popular by the released counts. */
  readonly identityItems: number;
  /** Smallest touch rate a row's server step is scaled for (`rowStepScales`). */
  readonly rowRateFloor: number;
  /**
   * Released counts are shrunk by this many noise standard deviations
   * (max(0, c − k·σ)) before anything uses them: with clamping alone, every
   * tail item whose noise came out positive would look popular.
   */
  readonly countShrinkStd: number;
  /** Weight of log(1 + released count) in the fixed prior. */
  readonly priorWeight: number;
  /** Weight of the zero-ε history scorer in the final score. */
  readonly historyWeight: number;
  /** Train on top of the history scorer (its scores in the training logits), so the rounds learn what it gets wrong. */
  readonly boostHistory: boolean;
  /** Standard deviation of the starting feature embeddings. */
  readonly initScale: number;
  readonly training?: Partial<HybridTrainingConfig>;
}
