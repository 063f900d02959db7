/**
 * A set of item indices as a byte per catalogue item (nonzero = in the set).
 * Evaluation tests membership for every item of every user, so a flat mask
 * beats a Set; a single mask is reused across users by clearing what was set.
 */
export type ItemMask = Uint8Array;

export function assertItemIndex(item: number, numItems: number, what = 'item'): void {
  if (!Number.isInteger(item) || item < 0 || item >= numItems) {
    throw new RangeError(`${what} must be an integer in [0, ${numItems}), got ${item}`);
  }
}

/** A mask over `numItems` items with `items` set. */
export function itemMask(numItems: number, items: ArrayLike<number>): ItemMask {
  const mask = new Uint8Array(numItems);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as number;
    assertItemIndex(item, numItems);
    mask[item] = 1;
  }
  return mask;
}
