/**
 * Fraction of the catalogue that appears in at least one recommendation list:
 * a model that shows everyone the same bestsellers scores near k / numItems.
 */
export function catalogueCoverage(lists: Iterable<ArrayLike<number>>, numItems: number): number {
  if (!Number.isInteger(numItems) || numItems < 1) {
    throw new RangeError(`numItems must be a positive integer, got ${numItems}`);
  }
  const seen = new Uint8Array(numItems);
  let distinct = 0;
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) {
      const item = list[i] as number;
      if (!Number.isInteger(item) || item < 0 || item >= numItems) {
        throw new RangeError(`item must be an integer in [0, ${numItems}), got ${item}`);
      }
      if (seen[item] === 0) {
        seen[item] = 1;
        distinct++;
      }
    }
  }
  return distinct / numItems;
}
