import type { RandomSource } from '../random/random-source.js';
import { nextInt } from '../random/random-source.js';

/**
 * Draws negatives uniformly from the items a shopper has *not* interacted
 * with. Rejection sampling when the shopper touched a small part of the
 * catalogue (the usual case); an explicit complement list otherwise, so a
 * shopper who touched 90% of a small catalogue does not loop for long.
 */
export class NegativeSampler {
  private readonly complement: Int32Array | undefined;
  private readonly touched: Uint8Array;

  constructor(
    private readonly numItems: number,
    interacted: ArrayLike<number>,
  ) {
    this.touched = new Uint8Array(numItems);
    let count = 0;
    for (let i = 0; i < interacted.length; i++) {
      const item = interacted[i]!;
      if (item < 0 || item >= numItems || !Number.isInteger(item)) {
        throw new RangeError(`expected item index in [0, ${numItems}), got ${item}`);
      }
      if (!this.touched[item]) count++;
      this.touched[item] = 1;
    }
    this.available = numItems - count;
    if (count * 2 > numItems) {
      const rest = new Int32Array(this.available);
      let k = 0;
      for (let i = 0; i < numItems; i++) if (!this.touched[i]) rest[k++] = i;
      this.complement = rest;
    }
  }

  /** How many items can be drawn at all. */
  readonly available: number;

  sample(random: RandomSource): number {
    if (this.available === 0) throw new RangeError('no negatives to sample: the shopper interacted with every item');
    if (this.complement) return this.complement[nextInt(random, this.complement.length)]!;
    for (;;) {
      const item = nextInt(random, this.numItems);
      if (!this.touched[item]) return item;
    }
  }
}
