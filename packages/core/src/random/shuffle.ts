import type { RandomSource } from './random-source.js';
import { nextInt } from './random-source.js';

/** Fisher–Yates, in place: every order equally likely, from `random`'s stream. */
export function shuffleInPlace(order: Int32Array, random: RandomSource): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = nextInt(random, i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}
