/**
 * The communication graph of SecAgg+ (Bell, Bonawitz, Gascón, Lepoint,
 * Raykova, CCS 2020, §3–4): each client exchanges keys, shares and pairwise
 * masks only with its k neighbours instead of all n − 1 others, which brings
 * the per-client cost from O(n) to O(k) = O(log n).
 *
 * The graph is the Harary graph H(k, n) on a random ordering of the cohort
 * (the paper's construction): clients sit on a ring in the order of a
 * pseudorandom permutation, and each is joined to the ⌊k/2⌋ nearest on each
 * side, plus the diametrically opposite client when k is odd (n even). The
 * permutation comes from a public seed, so the server and every client derive
 * the same graph, and no one (the server included) chooses who is whose
 * neighbour. k = n − 1 is the complete graph: the original protocol of
 * Bonawitz et al. (CCS 2017).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { chacha20 } from '@noble/ciphers/chacha.js';

import { GRAPH_SEED_BYTES } from '@fedrec/core/protocol';

// Defined with the invitation's schema in core's protocol, which checks it on the wire.
export { GRAPH_SEED_BYTES };
const GRAPH_LABEL = new TextEncoder().encode('fedrec/secagg/v1/neighbour-graph');

export interface NeighbourGraph {
  readonly clientCount: number;
  readonly neighbourCount: number;
  /** The neighbours of client `index` (1-based), ascending. */
  neighbours(index: number): readonly number[];
  areNeighbours(a: number, b: number): boolean;
}

/**
 * Default k: min(n − 1, 2⌈3·log₂ n⌉). Bell et al. prove k = O(log n) suffices
 * (their Theorems for the semi-honest setting) but the constant depends on
 * the tolerated fraction of corrupt and dropped clients and on the security
 * parameter; 3·log₂ n per side is a heuristic in that regime, not a value
 * from the paper's tables. It gives the complete graph (the original
 * protocol) for cohorts up to 31, k = 40 at n = 100 and k = 60 at n = 1000.
 * Choose k from the paper's analysis when a specific guarantee is needed.
 */
export function defaultNeighbourCount(clientCount: number): number {
  assertClientCount(clientCount);
  return Math.min(clientCount - 1, 2 * Math.ceil(3 * Math.log2(clientCount)));
}

/**
 * Default threshold t = ⌈k/2⌉ + 1: a strict majority of the k + 1 holders of
 * a client's shares (its k neighbours and itself). Every honest holder
 * reveals either the self-mask share or the mask-key share of a client, never
 * both, so two disjoint sets of holders would be needed to learn both, and two
 * disjoint majorities do not exist (the counting argument behind
 * the threshold of Bonawitz et al. 2017).
 */
export function defaultThreshold(neighbourCount: number): number {
  if (!Number.isSafeInteger(neighbourCount) || neighbourCount < 1) throw new RangeError(`expected neighbourCount to be a positive integer, got ${neighbourCount}`);
  return Math.ceil(neighbourCount / 2) + 1;
}

function assertClientCount(clientCount: number): void {
  if (!Number.isSafeInteger(clientCount) || clientCount < 2) throw new RangeError(`expected clientCount to be an integer >= 2, got ${clientCount}`);
}

/**
 * Throws RangeError unless a k-regular Harary graph on n vertices exists and
 * is connected: 2 ≤ k ≤ n − 1 (k = 1 only for n = 2), and n·k even. k = 1 on
 * more clients would pair them off, and the server would learn each pair's
 * sum: the privacy argument needs the graph k-connected, which k = 1 is not.
 */
export function assertNeighbourCount(clientCount: number, neighbourCount: number): void {
  assertClientCount(clientCount);
  const least = Math.min(2, clientCount - 1);
  if (!Number.isSafeInteger(neighbourCount) || neighbourCount < least || neighbourCount > clientCount - 1) {
    throw new RangeError(`expected neighbourCount in [${least}, ${clientCount - 1}], got ${neighbourCount}`);
  }
  // The sum of degrees n·k is twice the number of edges: no k-regular graph has n and k both odd.
  if (neighbourCount < clientCount - 1 && neighbourCount % 2 === 1 && clientCount % 2 === 1) {
    throw new RangeError(`expected an even neighbourCount for an odd clientCount (${clientCount}), got ${neighbourCount}`);
  }
}

/** `length` words of the ChaCha20 keystream (RFC 8439, zero nonce) under `key`, little-endian. */
function keystreamWords(key: Uint8Array, length: number): Uint32Array {
  const bytes = chacha20(key, new Uint8Array(12), new Uint8Array(4 * length));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint32Array.from({ length }, (_, i) => view.getUint32(4 * i, true));
}

/**
 * Uniform words from the public seed, re-expanded (prefix-stable) if
 * rejection sampling runs out. Synchronous and small (about n words), so
 * ChaCha20 in JavaScript; the masks' PRG is another (mask-prg.ts).
 */
function wordStream(seed: Uint8Array, initial: number): () => number {
  const key = sha256(new Uint8Array([...GRAPH_LABEL, ...seed]));
  let words = keystreamWords(key, initial);
  let next = 0;
  return () => {
    if (next === words.length) words = keystreamWords(key, words.length * 2);
    return words[next++]!;
  };
}

/** The client order on the ring: a Fisher–Yates shuffle of 1…n driven by the seed. */
function ringOrder(clientCount: number, seed: Uint8Array): number[] {
  const order = Array.from({ length: clientCount }, (_, i) => i + 1);
  const nextWord = wordStream(seed, clientCount + 16);
  for (let i = clientCount - 1; i > 0; i--) {
    const range = i + 1;
    const limit = 2 ** 32 - (2 ** 32 % range);
    let word = nextWord();
    while (word >= limit) word = nextWord();
    const j = word % range;
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

export function createNeighbourGraph(clientCount: number, neighbourCount: number, graphSeed: Uint8Array): NeighbourGraph {
  assertNeighbourCount(clientCount, neighbourCount);
  if (!(graphSeed instanceof Uint8Array) || graphSeed.length !== GRAPH_SEED_BYTES) throw new RangeError(`expected a ${GRAPH_SEED_BYTES}-byte graphSeed`);
  const lists: number[][] = Array.from({ length: clientCount + 1 }, () => []);
  if (neighbourCount === clientCount - 1) {
    for (let a = 1; a <= clientCount; a++) for (let b = 1; b <= clientCount; b++) if (a !== b) lists[a]!.push(b);
  } else {
    const order = ringOrder(clientCount, graphSeed);
    const half = Math.floor(neighbourCount / 2);
    order.forEach((index, position) => {
      const list = lists[index]!;
      for (let j = 1; j <= half; j++) {
        list.push(order[(position + j) % clientCount]!, order[(position - j + clientCount) % clientCount]!);
      }
      if (neighbourCount % 2 === 1) list.push(order[(position + clientCount / 2) % clientCount]!);
      list.sort((a, b) => a - b);
    });
  }
  const sets = lists.map((list) => new Set(list));
  const assertIndex = (index: number): void => {
    if (!Number.isSafeInteger(index) || index < 1 || index > clientCount) throw new RangeError(`expected a client index in [1, ${clientCount}], got ${index}`);
  };
  return {
    clientCount,
    neighbourCount,
    neighbours(index) {
      assertIndex(index);
      return lists[index]!;
    },
    areNeighbours(a, b) {
      assertIndex(a);
      assertIndex(b);
      return sets[a]!.has(b);
    },
  };
}
