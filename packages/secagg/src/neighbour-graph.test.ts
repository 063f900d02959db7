import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { assertNeighbourCount, createNeighbourGraph, defaultNeighbourCount, defaultThreshold } from './neighbour-graph.js';
import { createRoundConfig } from './round-config.js';

const seed = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);

describe('neighbour graph', () => {
  it('is k-regular, symmetric and loop-free for every valid (n, k)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 1, max: 59 }), fc.integer({ min: 0, max: 255 }), (n, k, s) => {
        fc.pre(k <= n - 1 && (k >= 2 || n === 2) && !(k < n - 1 && k % 2 === 1 && n % 2 === 1));
        const graph = createNeighbourGraph(n, k, seed(s));
        for (let a = 1; a <= n; a++) {
          const list = graph.neighbours(a);
          expect(list.length).toBe(k);
          expect(new Set(list).size).toBe(k);
          expect(list.includes(a)).toBe(false);
          expect([...list].sort((x, y) => x - y)).toEqual(list);
          for (const b of list) expect(graph.areNeighbours(b, a)).toBe(true);
        }
      }),
    );
  });

  it('stays connected after removing any k − 1 clients (k-vertex-connected, like a Harary graph)', () => {
    // What the threat model rests on: while colluders + dropouts < k, the honest survivors form one connected graph.
    /** Whether the clients not in `removed` are connected in `graph`. */
    const connectedWithout = (graph: ReturnType<typeof createNeighbourGraph>, n: number, removed: ReadonlySet<number>): boolean => {
      const kept = Array.from({ length: n }, (_, i) => i + 1).filter((v) => !removed.has(v));
      const seen = new Set([kept[0]!]);
      const stack = [kept[0]!];
      while (stack.length > 0) {
        for (const w of graph.neighbours(stack.pop()!)) {
          if (!removed.has(w) && !seen.has(w)) {
            seen.add(w);
            stack.push(w);
          }
        }
      }
      return seen.size === kept.length;
    };
    /** Every subset of {1…n} of the given size, as bitmasks. */
    const subsetsOfSize = (n: number, size: number): number[] =>
      Array.from({ length: 2 ** n }, (_, mask) => mask).filter((mask) => mask.toString(2).split('1').length - 1 === size);
    let checked = 0;
    // Exhaustive over every removal set of size k − 1, for every valid sparse (n, k) up to n = 11 and a few seeds.
    for (let n = 4; n <= 11; n++) {
      for (let k = 2; k < n - 1; k++) {
        if (k % 2 === 1 && n % 2 === 1) continue;
        for (const s of [1, 2, 3]) {
          const graph = createNeighbourGraph(n, k, seed(s));
          for (const mask of subsetsOfSize(n, k - 1)) {
            const removed = new Set(Array.from({ length: n }, (_, i) => i + 1).filter((v) => (mask >> (v - 1)) & 1));
            expect(connectedWithout(graph, n, removed), `n=${n} k=${k} seed=${s} removed=${[...removed].join(',')}`).toBe(true);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(7_000);
  });

  it('is the complete graph for k = n − 1, and a seed-dependent one otherwise', () => {
    const complete = createNeighbourGraph(6, 5, seed(1));
    expect(complete.neighbours(3)).toEqual([1, 2, 4, 5, 6]);
    const a = createNeighbourGraph(40, 6, seed(1));
    const b = createNeighbourGraph(40, 6, seed(2));
    expect(createNeighbourGraph(40, 6, seed(1)).neighbours(7)).toEqual(a.neighbours(7));
    const differs = Array.from({ length: 40 }, (_, i) => i + 1).some((i) => a.neighbours(i).join() !== b.neighbours(i).join());
    expect(differs).toBe(true);
  });

  it('refuses impossible degrees', () => {
    expect(() => assertNeighbourCount(7, 3)).toThrow(RangeError); // n·k odd
    expect(() => assertNeighbourCount(7, 7)).toThrow(RangeError);
    expect(() => assertNeighbourCount(7, 0)).toThrow(RangeError);
    // k = 1 pairs clients off (a disconnected graph: the server would learn each pair's sum); fine only for n = 2.
    expect(() => assertNeighbourCount(8, 1)).toThrow(RangeError);
    expect(() => assertNeighbourCount(2, 1)).not.toThrow();
    expect(() => assertNeighbourCount(8, 3)).not.toThrow();
    expect(() => createNeighbourGraph(8, 3, new Uint8Array(31))).toThrow(RangeError);
  });

  it('defaults: k = min(n − 1, 2⌈3 log₂ n⌉), t = ⌈k/2⌉ + 1', () => {
    expect(defaultNeighbourCount(10)).toBe(9);
    expect(defaultNeighbourCount(30)).toBe(29);
    expect(defaultNeighbourCount(100)).toBe(40);
    expect(defaultNeighbourCount(1000)).toBe(60);
    expect(defaultThreshold(9)).toBe(6);
    expect(defaultThreshold(40)).toBe(21);
    const config = createRoundConfig({ roundId: 1, clientCount: 100, vectorLength: 3, graphSeed: seed(0) });
    expect(config.neighbourCount).toBe(40);
    expect(config.threshold).toBe(21);
    expect(() => createRoundConfig({ roundId: 1, clientCount: 10, vectorLength: 3, graphSeed: seed(0), neighbourCount: 4, threshold: 6 })).toThrow(RangeError);
    expect(() => createRoundConfig({ roundId: -1, clientCount: 10, vectorLength: 3, graphSeed: seed(0) })).toThrow(RangeError);
  });
});
