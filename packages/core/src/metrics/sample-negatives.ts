import type { ItemMask } from './item-mask.js';

export interface SampleNegativesOptions {
  readonly numItems: number;
  /** How many distinct negatives to draw. */
  readonly count: number;
  /** Items the user has interacted with (train ∪ held-out); never drawn. */
  readonly interacted: ItemMask;
  /** Uniform [0, 1) source, e.g. a seeded `seedrandom` stream; the draw is a pure function of it. */
  readonly rng: () => number;
}

/**
 * Draws `count` distinct items uniformly without replacement from those the
 * user never interacted with, in draw order.
 *
 * Rejection sampling first: for typical users (a few dozen interactions in a
 * catalogue of thousands) nearly every draw is accepted, so this costs about
 * `count` draws and no pass over the catalogue. If rejections pile up (a user
 * who interacted with most of the catalogue) it switches to a partial
 * Fisher–Yates over the remaining eligible items; each accepted item is
 * uniform over what remains either way, so the switch keeps the distribution.
 *
 * Throws RangeError if fewer than `count` items are eligible: silently
 * returning fewer would change the protocol and inflate hit rates.
 */
export function sampleNegatives(options: SampleNegativesOptions): Int32Array {
  const { numItems, count, interacted, rng } = options;
  if (!Number.isInteger(numItems) || numItems < 1) {
    throw new RangeError(`numItems must be a positive integer, got ${numItems}`);
  }
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  if (interacted.length !== numItems) {
    throw new RangeError(`interacted mask has ${interacted.length} entries for ${numItems} items`);
  }
  const out = new Int32Array(count);
  const chosen = new Set<number>();
  const maxRejections = 4 * count + 32;
  let rejections = 0;
  while (chosen.size < count && rejections <= maxRejections) {
    const item = Math.floor(rng() * numItems);
    if (interacted[item] !== 0 || chosen.has(item)) {
      rejections++;
      continue;
    }
    out[chosen.size] = item;
    chosen.add(item);
  }
  if (chosen.size === count) return out;

  const remaining: number[] = [];
  for (let item = 0; item < numItems; item++) {
    if (interacted[item] === 0 && !chosen.has(item)) remaining.push(item);
  }
  const needed = count - chosen.size;
  if (remaining.length < needed) {
    throw new RangeError(
      `cannot sample ${count} negatives: only ${chosen.size + remaining.length} of ${numItems} items are not interacted with`,
    );
  }
  let filled = chosen.size;
  for (let i = 0; i < needed; i++) {
    const j = i + Math.floor(rng() * (remaining.length - i));
    const picked = remaining[j] as number;
    remaining[j] = remaining[i] as number;
    remaining[i] = picked;
    out[filled++] = picked;
  }
  return out;
}
