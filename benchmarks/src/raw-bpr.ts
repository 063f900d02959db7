import { NegativeSampler, nextInt } from '@fedrec/core';
import type { RandomSource } from '@fedrec/core';

/**
 * The baseline FedRec's tfjs path is measured against: classic per-triplet
 * BPR SGD (Rendle et al. 2009) written by hand over Float32Arrays, one
 * shopper, negatives drawn the same way (same sampler, same kind of stream).
 * Updates the table and the user vector in place; returns triplets processed.
 */
export function rawBprEpochs(args: {
  numItems: number;
  dim: number;
  table: Float32Array; // [numItems × dim | numItems biases]
  user: Float32Array;
  positives: Int32Array;
  weights: Float32Array;
  epochs: number;
  negativesPerPositive: number;
  learningRate: number;
  l2: number;
  random: RandomSource;
}): number {
  const { numItems, dim, table, user, positives, weights, learningRate: lr, l2, random } = args;
  const sampler = new NegativeSampler(numItems, positives);
  const biasStart = numItems * dim;
  const order = Int32Array.from(positives.keys());
  let triplets = 0;
  for (let e = 0; e < args.epochs; e++) {
    for (let k = order.length - 1; k > 0; k--) {
      const j = nextInt(random, k + 1);
      const t = order[k]!;
      order[k] = order[j]!;
      order[j] = t;
    }
    for (const idx of order) {
      const p = positives[idx]!;
      const w = weights[idx]!;
      for (let s = 0; s < args.negativesPerPositive; s++) {
        const n = sampler.sample(random);
        const po = p * dim;
        const no = n * dim;
        let x = table[biasStart + p]! - table[biasStart + n]!;
        for (let j = 0; j < dim; j++) x += user[j]! * (table[po + j]! - table[no + j]!);
        const g = w / (1 + Math.exp(x)); // w·σ(−x)
        for (let j = 0; j < dim; j++) {
          const uj = user[j]!;
          const pj = table[po + j]!;
          const nj = table[no + j]!;
          user[j] = uj + lr * (g * (pj - nj) - l2 * uj);
          table[po + j] = pj + lr * (g * uj - l2 * pj);
          table[no + j] = nj + lr * (-g * uj - l2 * nj);
        }
        table[biasStart + p] = table[biasStart + p]! + lr * (g - l2 * table[biasStart + p]!);
        table[biasStart + n] = table[biasStart + n]! + lr * (-g - l2 * table[biasStart + n]!);
        triplets++;
      }
    }
  }
  return triplets;
}
