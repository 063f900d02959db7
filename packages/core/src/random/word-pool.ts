import type { RandomSource } from './random-source.js';

const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;
const TWO_21 = 2 ** 21;

/**
 * Uniform 32-bit words taken from a `RandomSource` in blocks, for samplers'
 * inner loops (the ziggurat Gaussian, the exact discrete samplers): a coin
 * there costs one array read instead of a call into the source, and a single
 * word can be split into fair bits.
 *
 * It is itself a `RandomSource`, so the exact bigint fallbacks draw from the
 * same stream. Words are independent and uniform whichever way they are
 * consumed; a pool discards what it has not handed out when dropped, so a
 * seeded source still gives reproducible results, just not the same words
 * as drawing from it one at a time.
 */
export class WordPool implements RandomSource {
  readonly kind: RandomSource['kind'];
  private readonly source: RandomSource;
  /**
   * The current block and the index of the next unused word in it. Hot loops
   * read `words[next++]` themselves after `if (next === words.length)
   * refill()`: a word of 2^30 or more returned from a call that the JIT does
   * not inline is boxed, and boxing every word was most of the cost.
   */
  readonly words: Uint32Array;
  next: number;
  private bits = 0;
  private bitCount = 0;

  /** `blockWords`: how many words to draw from `source` at a time (≥ 1). */
  constructor(source: RandomSource, blockWords: number) {
    if (!Number.isSafeInteger(blockWords) || blockWords < 1) throw new RangeError(`expected blockWords to be a positive integer, got ${blockWords}`);
    this.source = source;
    this.kind = source.kind;
    this.words = new Uint32Array(blockWords);
    this.next = blockWords;
  }

  /** Draws a fresh block; `next` restarts at 0. */
  refill(): void {
    this.source.fillUint32(this.words);
    this.next = 0;
  }

  nextUint32(): number {
    if (this.next === this.words.length) this.refill();
    return this.words[this.next++]!;
  }

  fillUint32(out: Uint32Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.nextUint32();
  }

  /** 53 random bits: 27 from one word, 26 from another. */
  nextFloat(): number {
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  /** One fair bit (32 per word). */
  nextBit(): number {
    if (this.bitCount === 0) {
      if (this.next === this.words.length) this.refill();
      this.bits = this.words[this.next++]!;
      this.bitCount = 32;
    }
    const bit = this.bits & 1;
    this.bits >>>= 1;
    this.bitCount--;
    return bit;
  }

  /**
   * Uniform integer in [0, n) for an integer 1 ≤ n ≤ 2^32, by rejection.
   * `limit` must be 2^32 − (2^32 mod n) (see `rejectionLimit`); callers with a
   * fixed n compute it once, since the modulo is most of the cost.
   */
  belowWithLimit(n: number, limit: number): number {
    for (;;) {
      if (this.next === this.words.length) this.refill();
      const word = this.words[this.next++]!;
      // word − ⌊word/n⌋·n: ⌊fl(a/b)⌋ = ⌊a/b⌋ for integers with a + b ≤ 2^53, and this
      // division is several times cheaper than a floating-point modulo of a uint32.
      if (word < limit) return word - Math.floor(word / n) * n;
    }
  }

  /** Uniform integer in [0, n) for an integer 1 ≤ n ≤ 2^53 (caller's contract: not checked). */
  below(n: number): number {
    if (n <= TWO_32) return n === 1 ? 0 : this.belowWithLimit(n, TWO_32 - (TWO_32 % n));
    // 53 bits from two words; every operation here is exact in doubles.
    const limit = TWO_53 - (TWO_53 % n);
    for (;;) {
      const value = (this.nextUint32() & (TWO_21 - 1)) * TWO_32 + this.nextUint32();
      if (value < limit) return value % n;
    }
  }
}
