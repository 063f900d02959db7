import type { ItemMask } from './item-mask.js';

/**
 * The order used for recommendation lists: higher score first, ties broken by
 * lower item index (so lists are deterministic), and NaN below everything
 * (a NaN score is a model bug, never a recommendation).
 */
export function outranks(scores: ArrayLike<number>, a: number, b: number): boolean {
  const sa = scores[a] as number;
  const sb = scores[b] as number;
  if (sa > sb) return true;
  if (sa < sb) return false;
  const aIsNaN = Number.isNaN(sa);
  if (aIsNaN !== Number.isNaN(sb)) return !aIsNaN;
  return a < b;
}

/**
 * The `k` best items by `outranks`, best first, skipping items set in
 * `exclude`; fewer than `k` if fewer are eligible.
 *
 * A size-k heap whose root is the weakest kept item: O(n log k) and no
 * allocation proportional to the catalogue, which matters when this runs for
 * every user over tens of thousands of items.
 */
export function topK(scores: ArrayLike<number>, k: number, exclude?: ItemMask): Int32Array {
  if (!Number.isInteger(k) || k < 0) {
    throw new RangeError(`k must be a non-negative integer, got ${k}`);
  }
  const n = scores.length;
  if (exclude !== undefined && exclude.length !== n) {
    throw new RangeError(`exclude mask has ${exclude.length} entries for ${n} items`);
  }
  const heap = new Int32Array(Math.min(k, n));
  let size = 0;

  // Min-heap on `outranks`: a parent never outranks its children.
  const siftUp = (index: number): void => {
    let i = index;
    const item = heap[i] as number;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentItem = heap[parent] as number;
      if (!outranks(scores, parentItem, item)) break;
      heap[i] = parentItem;
      i = parent;
    }
    heap[i] = item;
  };
  const siftDown = (): void => {
    let i = 0;
    const item = heap[0] as number;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      let weaker = left;
      if (right < size && outranks(scores, heap[left] as number, heap[right] as number)) weaker = right;
      const weakerItem = heap[weaker] as number;
      if (!outranks(scores, item, weakerItem)) break;
      heap[i] = weakerItem;
      i = weaker;
    }
    heap[i] = item;
  };

  if (heap.length === 0) return heap;
  for (let item = 0; item < n; item++) {
    if (exclude !== undefined && exclude[item] !== 0) continue;
    if (size < heap.length) {
      heap[size] = item;
      siftUp(size++);
    } else if (outranks(scores, item, heap[0] as number)) {
      heap[0] = item;
      siftDown();
    }
  }
  const result = heap.slice(0, size);
  result.sort((a, b) => (outranks(scores, a, b) ? -1 : outranks(scores, b, a) ? 1 : 0));
  return result;
}
