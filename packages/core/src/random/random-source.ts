/**
 * A stream of uniform random numbers. Two kinds exist on purpose and must
 * never be shared: a seeded stream for reproducible data sampling in
 * simulation, and a cryptographic one for differential-privacy noise and keys
 * on real devices (an adversary who can predict the noise can remove it).
 */
export interface RandomSource {
  /** Uniform on [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Fill `out` with uniform 32-bit words (bulk: what noise generation uses). */
  fillUint32(out: Uint32Array): void;
  /** `'crypto'` for an unpredictable source, `'seeded'` for a reproducible one. */
  readonly kind: 'crypto' | 'seeded';
}

/** Uniform integer in [0, n) without modulo bias (rejection sampling). */
export function nextInt(source: RandomSource, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`expected 1 <= n <= 2^32, got ${n}`);
  if (n <= 2 ** 26) {
    // 53-bit floats are fine-grained enough that bias is below 2^-27 here,
    // and this path is the one hot loops (negative sampling) take.
    return Math.floor(source.nextFloat() * n);
  }
  const limit = 2 ** 32 - (2 ** 32 % n);
  for (;;) {
    const x = source.nextUint32();
    if (x < limit) return x % n;
  }
}
