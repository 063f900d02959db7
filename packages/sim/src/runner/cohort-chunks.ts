/**
 * Shoppers per unit of work. The cohort is always cut into the same chunks
 * and their sums are added in chunk order, so a run gives the same numbers
 * in process, on 16 threads or on 100 worker processes (float addition is
 * not associative).
 */
export const CHUNK_SIZE = 16;

/** The round's cohort cut into chunks of `CHUNK_SIZE` shoppers, in cohort order. */
export function chunksOf(cohort: readonly number[]): Int32Array[] {
  const chunks: Int32Array[] = [];
  for (let i = 0; i < cohort.length; i += CHUNK_SIZE) chunks.push(Int32Array.from(cohort.slice(i, i + CHUNK_SIZE)));
  return chunks;
}
