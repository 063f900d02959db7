import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { RandomSource } from '../random/random-source.js';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import {
  bernoulliExpMinusOne,
  bernoulliExpRatio,
  EXP_GRID_END,
  EXP_GRID_STEPS_PER_UNIT,
  expGridTables,
  expNegFixedPoint,
  LazyUniform,
  wordBelowExpPolynomial,
} from './exact-bernoulli.js';
import { rationalFromNumber } from './rational.js';
import { rejectionLimit } from '../random/uniform-integer.js';
import { WordPool } from '../random/word-pool.js';

// Fixed seeds throughout; statistical tolerances are 5 standard errors.

/** A source that replays the given words (then fails loudly). */
function scriptedSource(words: readonly number[]): RandomSource {
  let next = 0;
  const nextUint32 = (): number => {
    if (next >= words.length) throw new Error('scripted source exhausted');
    return words[next++]!;
  };
  return { kind: 'seeded', nextUint32, fillUint32: (out) => out.forEach((_, i) => (out[i] = nextUint32())), nextFloat: () => nextUint32() / 2 ** 32 };
}

function expectFrequency(ones: number, trials: number, p: number, label: string): void {
  expect(Math.abs(ones / trials - p), label).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / trials) + 1e-12);
}

describe('fixed-point bounds on exp(−x)', () => {
  it('bracket exp(−x) tightly for rational x, including x > 1 and x = 0', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 60_000n }), fc.bigInt({ min: 1n, max: 1000n }), fc.integer({ min: 40, max: 200 }), (num, den, bits) => {
        const [lo, hi] = expNegFixedPoint(num, den, bits);
        expect(lo <= hi).toBe(true);
        expect(hi - lo <= 4n).toBe(true);
        const x = Number(num) / Number(den);
        if (x < 600) {
          // Math.exp is good to an ulp or so: the bounds must agree with it to that.
          const scaled = Math.exp(-x) * 2 ** bits;
          expect(Number(lo)).toBeLessThanOrEqual(scaled * (1 + 1e-12) + 1);
          expect(Number(hi)).toBeGreaterThanOrEqual(scaled * (1 - 1e-12) - 1);
        }
      }),
    );
    expect(expNegFixedPoint(0n, 1n, 64)[0] <= 2n ** 64n && expNegFixedPoint(0n, 1n, 64)[1] >= 2n ** 64n).toBe(true);
    // A known value: exp(−1)·2^64 = 6786177901268885274.73… (exp(−1) = 0.36787944117144232159552377016146…).
    const [lo, hi] = expNegFixedPoint(1n, 1n, 64);
    expect(lo <= 6786177901268885274n && hi >= 6786177901268885275n && hi - lo <= 3n).toBe(true);
    expect(expNegFixedPoint(200n, 1n, 64)).toEqual([0n, 1n]);
    expect(() => expNegFixedPoint(-1n, 1n, 64)).toThrow(RangeError);
  });

  it('the grid tables bracket exp(−i/64)·2^32 and differ by at most one', () => {
    const { low, high } = expGridTables();
    expect(low.length).toBe(EXP_GRID_END + 1);
    expect(low[0]).toBe(2 ** 32);
    for (let i = 0; i <= EXP_GRID_END; i++) {
      expect(high[i]! - low[i]!).toBeLessThanOrEqual(1);
      if (i > 0) expect(low[i]).toBeLessThanOrEqual(low[i - 1]!);
    }
    for (const i of [1, 63, 64, 500, 1000, EXP_GRID_END]) {
      const [lo, hi] = expNegFixedPoint(BigInt(i), BigInt(EXP_GRID_STEPS_PER_UNIT), 96);
      expect(BigInt(low[i]!) <= hi >> 64n, `i = ${i}`).toBe(true);
      expect(BigInt(high[i]!) >= (lo + (1n << 64n) - 1n) >> 64n, `i = ${i}`).toBe(true);
    }
  });
});

describe('lazy comparison U < exp(−x)', () => {
  // exp(−1)·2^32 = 1580030168.702…: a first word of 1580030168 leaves it to the next word.
  const FLOOR = 1580030168;

  it('decides from the first word when it can, and draws more only on a tie', () => {
    expect(new LazyUniform(FLOOR - 1).lessThanExp(scriptedSource([]), 1n, 1n)).toBe(true);
    expect(new LazyUniform(FLOOR + 1).lessThanExp(scriptedSource([]), 1n, 1n)).toBe(false);
    expect(new LazyUniform(FLOOR).lessThanExp(scriptedSource([0]), 1n, 1n)).toBe(true);
    expect(new LazyUniform(FLOOR).lessThanExp(scriptedSource([0xffffffff]), 1n, 1n)).toBe(false);
    // 0.702…·2^32 = 3015499546.73…: the third word decides.
    expect(new LazyUniform(FLOOR).lessThanExp(scriptedSource([3015499546, 0]), 1n, 1n)).toBe(true);
    expect(new LazyUniform(FLOOR).lessThanExp(scriptedSource([3015499546, 0xffffffff]), 1n, 1n)).toBe(false);
    expect(new LazyUniform(FLOOR).lessThanExp(scriptedSource([3015499545]), 1n, 1n)).toBe(true);
    expect(new LazyUniform(FLOOR).lessThanExp(scriptedSource([3015499547]), 1n, 1n)).toBe(false);
    expect(new LazyUniform(0xffffffff).lessThanExp(scriptedSource([]), 0n, 5n)).toBe(true);
  });

  it('has frequency exp(−x) from any first word (γ below, at and above 1)', () => {
    const random = createSeededRandomSource('lazy-uniform');
    const trials = 20_000;
    for (const [num, den] of [[1n, 3n], [1n, 1n], [5n, 2n], [7n, 3n]] as const) {
      let ones = 0;
      for (let i = 0; i < trials; i++) ones += new LazyUniform(random.nextUint32()).lessThanExp(random, num, den) ? 1 : 0;
      expectFrequency(ones, trials, Math.exp(-Number(num) / Number(den)), `${num}/${den}`);
    }
  });
});

describe('the polynomial filter for words between grid points', () => {
  it('never contradicts the exact comparison, and decides all but the closest words', () => {
    let undecided = 0;
    let cases = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 * 2 ** 24 - 1 }), fc.integer({ min: -3, max: 3 }), (scaled, offset) => {
        const x = scaled / 2 ** 24;
        const w = Math.floor(Math.exp(-x) * 2 ** 32) + offset;
        if (w < 0 || w >= 2 ** 32) return;
        const decided = wordBelowExpPolynomial(w, x, x);
        cases++;
        if (decided === -1) {
          undecided++;
          return;
        }
        // Exact: U ∈ [w, w + 1)/2^32 against exp(−x) for the rational x holds.
        const { numerator, denominator } = rationalFromNumber(x);
        const [lo, hi] = expNegFixedPoint(numerator, denominator, 128);
        if (decided === 1) expect(BigInt(w + 1) << 96n <= lo).toBe(true);
        else expect(BigInt(w) << 96n >= hi).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // Only w = ⌊exp(−x)·2^32⌋ (1 of the 7 offsets) and, when exp(−x)·2^32 is within
    // 1/16 above an integer, the word below it can be in doubt.
    expect(undecided).toBeLessThan(cases * 0.25);
    expect(wordBelowExpPolynomial(5, 0.5, 0.5 + 2 ** -10)).toBe(-1); // too wide an interval
    expect(wordBelowExpPolynomial(0, 41, 41)).toBe(-1);
    expect(wordBelowExpPolynomial(1, 41, 41)).toBe(0);
  });
});

describe('Number coins for the discrete Laplace', () => {
  it('Bernoulli(exp(−1)) and Bernoulli(exp(−u/t)) have the right frequencies', () => {
    const pool = new WordPool(createSeededRandomSource('number-coins'), 4096);
    const trials = 100_000;
    let ones = 0;
    for (let i = 0; i < trials; i++) ones += bernoulliExpMinusOne(pool);
    expectFrequency(ones, trials, Math.exp(-1), 'exp(−1)');
    for (const [u, t] of [[0, 1], [1, 3], [2, 3], [999_999, 1_000_001], [123_456_789, 2 ** 32]] as const) {
      ones = 0;
      for (let i = 0; i < trials; i++) ones += bernoulliExpRatio(pool, u, t, rejectionLimit(t));
      expectFrequency(ones, trials, Math.exp(-u / t), `exp(−${u}/${t})`);
    }
  });
});
