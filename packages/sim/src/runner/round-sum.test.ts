import { describe, it, expect } from 'vitest';
import { RoundSum } from './round-sum.js';
import { BLOCK_CHUNKS } from './cohort-chunks.js';
import type { ChunkResult } from './client-update-chunk.js';

/** Chunk results whose sums round differently in different orders. */
function chunks(count: number, length: number): ChunkResult[] {
  return Array.from({ length: count }, (_, c) => ({
    sum: Float64Array.from({ length }, (_, i) => Math.fround(Math.sin(c * 31 + i) * 10 ** (((c * 7 + i) % 17) - 8))),
    contributors: 16,
    clipped: c % 3,
    unclipped: 16 - (c % 3),
    normSum: Math.fround(Math.cos(c) + 2) * 10 ** (c % 4),
  }));
}

const copy = (r: ChunkResult): ChunkResult => ({ ...r, sum: r.sum.slice() });
const bits = (r: ChunkResult) => ({ ...r, sum: Buffer.from(r.sum.buffer).toString('base64') });

describe('RoundSum', () => {
  const parts = chunks(3 * BLOCK_CHUNKS + 5, 40);

  it('gives the same bits whatever order chunks arrive in, and ignores duplicates', () => {
    const inOrder = new RoundSum(40, parts.length);
    parts.forEach((r, i) => inOrder.put(i, copy(r)));
    const shuffled = new RoundSum(40, parts.length);
    const order = parts.map((_, i) => i).sort((a, b) => ((a * 7919) % 31) - ((b * 7919) % 31));
    for (const i of order) {
      expect(shuffled.put(i, copy(parts[i]!))).toBeDefined();
      expect(shuffled.put(i, copy(parts[(i + 1) % parts.length]!))).toBeUndefined(); // a late duplicate changes nothing
    }
    expect(bits(shuffled.result())).toEqual(bits(inOrder.result()));
    expect(inOrder.result().contributors).toBe(16 * parts.length);
  });

  it('sums a fixed tree: blocks summed elsewhere (a cluster worker) and added whole give the chunk-by-chunk bits', () => {
    const byChunk = new RoundSum(40, parts.length);
    parts.forEach((r, i) => byChunk.put(i, copy(r)));
    const blocks: ChunkResult[] = [];
    for (let b = 0; b * BLOCK_CHUNKS < parts.length; b++) {
      const own = parts.slice(b * BLOCK_CHUNKS, (b + 1) * BLOCK_CHUNKS);
      const block = new RoundSum(40, own.length);
      own.forEach((r, i) => block.put(i, copy(r)));
      blocks.push(block.result());
    }
    const byBlock = new RoundSum(40, blocks.length, 1);
    [...blocks.keys()].reverse().forEach((b) => byBlock.put(b, blocks[b]!));
    expect(bits(byBlock.result())).toEqual(bits(byChunk.result()));
    // The tree is not the flat left-to-right sum: the test would notice a RoundSum that ignored it.
    const flat = new Float64Array(40);
    for (const r of parts) for (let i = 0; i < 40; i++) flat[i]! += r.sum[i]!;
    expect(Buffer.from(flat.buffer).equals(Buffer.from(byChunk.result().sum.buffer))).toBe(false);
  });

  it('refuses a part id outside the round, and a result before every part is in', () => {
    const sum = new RoundSum(4, 2);
    expect(() => sum.put(2, copy(parts[0]!))).toThrow(/expected a part id in \[0, 2\), got 2/);
    sum.put(1, { ...copy(parts[0]!), sum: new Float64Array(4) });
    expect(() => sum.result()).toThrow(/incomplete: 0 of 2 parts in/);
  });
});
