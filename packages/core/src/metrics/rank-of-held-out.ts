import { assertItemIndex, type ItemMask } from './item-mask.js';

/**
 * The 0-based rank of an item scored `target` among items scored `others`:
 * how many of them are NOT strictly below it.
 *
 * Ties count against the held-out item (pessimistic). Counting half of ties
 * would be fairer to a model with genuinely tied scores, but any optimism lets
 * a degenerate model that scores everything equally look good; with this rule
 * it ranks last. A NaN on either side also counts against the held-out item,
 * so a broken model cannot score well by producing NaN.
 */
export function rankOfScore(target: number, others: ArrayLike<number>): number {
  let rank = 0;
  for (let i = 0; i < others.length; i++) {
    if (!((others[i] as number) < target)) rank++;
  }
  return rank;
}

/**
 * Rank of `heldOut` against `candidates` (e.g. sampled negatives), all scored
 * by `scores` indexed by item. Same tie rule as `rankOfScore`.
 */
export function rankAmongCandidates(scores: ArrayLike<number>, heldOut: number, candidates: ArrayLike<number>): number {
  assertItemIndex(heldOut, scores.length, 'heldOut');
  const target = scores[heldOut] as number;
  let rank = 0;
  for (let i = 0; i < candidates.length; i++) {
    const item = candidates[i] as number;
    assertItemIndex(item, scores.length, 'candidate');
    if (item === heldOut) {
      // It would tie with itself and cost a rank; a candidate list containing it is a caller bug.
      throw new RangeError(`candidates must not contain the held-out item ${heldOut}`);
    }
    if (!((scores[item] as number) < target)) rank++;
  }
  return rank;
}

/**
 * Rank of `heldOut` against the whole catalogue except the items in `exclude`
 * (the user's training items) and itself. Same tie rule as `rankOfScore`.
 */
export function rankInCatalogue(scores: ArrayLike<number>, heldOut: number, exclude?: ItemMask): number {
  const numItems = scores.length;
  assertItemIndex(heldOut, numItems, 'heldOut');
  if (exclude !== undefined && exclude.length !== numItems) {
    throw new RangeError(`exclude mask has ${exclude.length} entries for ${numItems} items`);
  }
  const target = scores[heldOut] as number;
  let rank = 0;
  for (let item = 0; item < numItems; item++) {
    if (item === heldOut || (exclude !== undefined && exclude[item] !== 0)) continue;
    if (!((scores[item] as number) < target)) rank++;
  }
  return rank;
}
