/**
 * Shoppers per unit of work. The cohort is always cut into the same chunks
 * and their sums are added in chunk order, so a run gives the same numbers
 * in process, on 16 threads or on 100 worker processes (float addition is
 * not associative).
 */
export const CHUNK_SIZE = 16;

/**
 * Chunks per block: the round's sum adds each block's chunks in order into
 * a block sum, then the block sums in order (round-sum.ts). Every executor
 * sums this same tree, so a block is a unit a cluster worker can compute
 * whole and send as one partial sum: 128 updates a message rather than 16,
 * which is what makes the cluster's Redis traffic small beside its compute.
 */
export const BLOCK_CHUNKS = 8;

/** The round's cohort cut into chunks of `CHUNK_SIZE` shoppers, in cohort order. */
export function chunksOf(cohort: ArrayLike<number>): Int32Array[] {
  return cut(cohort, CHUNK_SIZE);
}

/** The round's cohort cut into blocks of `BLOCK_CHUNKS` chunks, in cohort order: the chunks of block b are chunks 8b…8b+7 of `chunksOf`. */
export function blocksOf(cohort: ArrayLike<number>): Int32Array[] {
  return cut(cohort, CHUNK_SIZE * BLOCK_CHUNKS);
}

function cut(cohort: ArrayLike<number>, size: number): Int32Array[] {
  const parts: Int32Array[] = [];
  for (let i = 0; i < cohort.length; i += size) parts.push(Int32Array.from({ length: Math.min(size, cohort.length - i) }, (_, k) => cohort[i + k]!));
  return parts;
}
