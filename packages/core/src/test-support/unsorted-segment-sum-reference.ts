/**
 * UnsortedSegmentSum written the obvious way, over plain arrays: the oracle
 * the fast kernel in `../kernels/unsorted-segment-sum.ts` is tested against.
 * out[segmentIds[i], :] += x[i, :], dropping ids outside [0, numSegments) as
 * TensorFlow does.
 */
export function unsortedSegmentSumReference(
  x: ArrayLike<number>,
  rowSize: number,
  segmentIds: ArrayLike<number>,
  numSegments: number,
): Float64Array {
  // Straightforward and obviously right: the oracle the fast kernel is tested against.
  const out = new Float64Array(numSegments * rowSize);
  for (let i = 0; i < segmentIds.length; i++) {
    const s = segmentIds[i]!;
    if (s < 0 || s >= numSegments) continue;
    for (let j = 0; j < rowSize; j++) out[s * rowSize + j]! += x[i * rowSize + j]!;
  }
  return out;
}
