/** How a synthetic population is generated: plain data, so a worker thread can rebuild the same population from it. */
export interface SyntheticPopulationConfig {
  readonly shoppers: number;
  readonly items: number;
  /** Product categories (default ≈ √items / 2, at least 4). */
  readonly categories?: number;
  /** Styles within a category: the item-level taste a model must learn beyond category and popularity. */
  readonly stylesPerCategory?: number;
  /** Zipf exponent of item popularity (long tail). */
  readonly zipfExponent?: number;
  /** Mean number of shopping sessions per shopper. */
  readonly meanSessions?: number;
  readonly seed: string | number;
}
