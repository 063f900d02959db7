import type { ChunkResult } from './client-update-chunk.js';
import { BLOCK_CHUNKS } from './cohort-chunks.js';

/**
 * A round's running total over a fixed summation tree: chunk sums are added
 * in order into their block's sum (`BLOCK_CHUNKS` chunks a block, starting
 * from zero), and block sums in order into the total. The tree, not the
 * order results arrive in, fixes every rounding, so every executor (in
 * process, threads, cluster workers) gives the same bits.
 *
 * Parts arrive in any order and possibly more than once; each is added as
 * soon as all before it are in, so the caller sums while the rest are being
 * computed. A part is a chunk (`partsPerBlock` = BLOCK_CHUNKS: in-process
 * and worker-thread executors) or a whole block computed elsewhere
 * (`partsPerBlock` = 1: the cluster runner, whose workers sum each block
 * with a RoundSum of their own).
 */
export class RoundSum {
  readonly sum: Float64Array;
  private readonly block: Float64Array | undefined;
  private readonly arrived: (ChunkResult | undefined)[];
  private readonly seen: Uint8Array;
  private added = 0;
  private contributors = 0;
  private clipped = 0;
  private unclipped = 0;
  private normSum = 0;
  private blockNormSum = 0;

  constructor(
    length: number,
    parts: number,
    private readonly partsPerBlock: number = BLOCK_CHUNKS,
  ) {
    this.sum = new Float64Array(length);
    // With one part a block, the block's sum is the part itself (0 + x = x: a sum that starts at +0 is never -0).
    this.block = partsPerBlock > 1 ? new Float64Array(length) : undefined;
    this.arrived = new Array<ChunkResult | undefined>(parts);
    this.seen = new Uint8Array(parts);
  }

  /**
   * Takes part `id`'s result and adds every result now in order. Returns the
   * part sums it is done with (for the caller to reuse), or undefined when
   * this part was already in: a duplicate, ignored.
   */
  put(id: number, result: ChunkResult): Float64Array[] | undefined {
    if (!Number.isInteger(id) || id < 0 || id >= this.seen.length) throw new RangeError(`expected a part id in [0, ${this.seen.length}), got ${id}`);
    if (this.seen[id]) return undefined;
    this.seen[id] = 1;
    this.arrived[id] = result;
    const spent: Float64Array[] = [];
    for (let r = this.arrived[this.added]; r !== undefined; r = this.arrived[this.added]) {
      this.add(r);
      spent.push(r.sum);
      this.arrived[this.added++] = undefined;
      if (this.block && (this.added % this.partsPerBlock === 0 || this.added === this.arrived.length)) this.closeBlock(this.block);
    }
    return spent;
  }

  /** Whether part `id` is in (summed or waiting for an earlier one). */
  has(id: number): boolean {
    return this.seen[id] === 1;
  }

  get complete(): boolean {
    return this.added === this.arrived.length;
  }

  /** Parts summed so far. */
  get done(): number {
    return this.added;
  }

  result(): ChunkResult {
    if (!this.complete) throw new Error(`the round's sum is incomplete: ${this.added} of ${this.arrived.length} parts in`);
    return { sum: this.sum, contributors: this.contributors, clipped: this.clipped, unclipped: this.unclipped, normSum: this.normSum };
  }

  private add(r: ChunkResult): void {
    addInto(this.block ?? this.sum, r.sum);
    if (this.block) this.blockNormSum += r.normSum;
    else this.normSum += r.normSum;
    this.contributors += r.contributors;
    this.clipped += r.clipped;
    this.unclipped += r.unclipped;
  }

  private closeBlock(block: Float64Array): void {
    addInto(this.sum, block);
    block.fill(0);
    this.normSum += this.blockNormSum;
    this.blockNormSum = 0;
  }
}

/** sum += part, element-wise (a function of its own: one monomorphic loop). */
function addInto(sum: Float64Array, part: Float64Array): void {
  for (let i = 0; i < sum.length; i++) sum[i]! += part[i]!;
}
