/** Median: robust to the odd slow run on a shared machine. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('expected at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
