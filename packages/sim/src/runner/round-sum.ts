import type { ChunkResult } from './client-update-chunk.js';

/**
 * A round's running total: chunk results, arriving in any order and possibly
 * more than once, added in chunk order — each as soon as all before it are
 * in, so the caller sums while chunks are still being computed. The order is
 * what makes every executor (in process, threads, worker processes) give the
 * same bits.
 */
export class RoundSum {
  readonly sum: Float64Array;
  private readonly arrived: (ChunkResult | undefined)[];
  private readonly seen: Uint8Array;
  private added = 0;
  private contributors = 0;
  private clipped = 0;
  private unclipped = 0;
  private normSum = 0;

  constructor(length: number, chunks: number) {
    this.sum = new Float64Array(length);
    this.arrived = new Array<ChunkResult | undefined>(chunks);
    this.seen = new Uint8Array(chunks);
  }

  /**
   * Takes chunk `chunkId`'s result and adds every result now in order.
   * Returns the chunk sums it is done with (for the caller to reuse), or
   * undefined when this chunk was already in: a duplicate, ignored.
   */
  put(chunkId: number, result: ChunkResult): Float64Array[] | undefined {
    if (!Number.isInteger(chunkId) || chunkId < 0 || chunkId >= this.seen.length) throw new RangeError(`expected a chunk id in [0, ${this.seen.length}), got ${chunkId}`);
    if (this.seen[chunkId]) return undefined;
    this.seen[chunkId] = 1;
    this.arrived[chunkId] = result;
    const spent: Float64Array[] = [];
    for (let r = this.arrived[this.added]; r !== undefined; r = this.arrived[this.added]) {
      this.add(r);
      spent.push(r.sum);
      this.arrived[this.added++] = undefined;
    }
    return spent;
  }

  /** Whether chunk `chunkId` is in (summed or waiting for an earlier one). */
  has(chunkId: number): boolean {
    return this.seen[chunkId] === 1;
  }

  get complete(): boolean {
    return this.added === this.arrived.length;
  }

  /** Chunks summed so far. */
  get done(): number {
    return this.added;
  }

  result(): ChunkResult {
    if (!this.complete) throw new Error(`the round's sum is incomplete: ${this.added} of ${this.arrived.length} chunks in`);
    return { sum: this.sum, contributors: this.contributors, clipped: this.clipped, unclipped: this.unclipped, normSum: this.normSum };
  }

  private add(r: ChunkResult): void {
    addInto(this.sum, r.sum);
    this.contributors += r.contributors;
    this.clipped += r.clipped;
    this.unclipped += r.unclipped;
    this.normSum += r.normSum;
  }
}

/** sum += part, element-wise (a function of its own: one monomorphic loop). */
function addInto(sum: Float64Array, part: Float64Array): void {
  for (let i = 0; i < sum.length; i++) sum[i]! += part[i]!;
}
