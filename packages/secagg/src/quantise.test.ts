import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createSeededRandomSource } from '@fedrec/core/random';
import { addIntegerNoise, assertNoWrapAround, coordinateBound, decodeSum, DEFAULT_MODULUS, quantise, toModular } from './quantise.js';
import { codeOf } from './test-support/secagg-error-code.js';

describe('quantise', () => {
  it('rounds without bias: P(round up) is the fractional part', () => {
    const random = createSeededRandomSource('quantise-bias');
    const n = 100_000;
    const granularity = 0.25;
    const ints = quantise(new Float64Array(n).fill(0.3), granularity, random); // 0.3 / 0.25 = 1.2
    let sum = 0;
    for (const v of ints) {
      expect(v === 1 || v === 2).toBe(true);
      sum += v;
    }
    expect(Math.abs(sum / n - 1.2)).toBeLessThan(5 * Math.sqrt((0.2 * 0.8) / n));
  });

  it('stays within [⌊x/γ⌋, ⌈x/γ⌉] and keeps exact multiples of γ exact', () => {
    const random = createSeededRandomSource('quantise-range');
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true })), fc.constantFrom(1e-3, 0.5, 3), (values, granularity) => {
        quantise(values, granularity, random).forEach((v, i) => {
          const scaled = values[i]! / granularity;
          expect(v >= Math.floor(scaled) && v <= Math.ceil(scaled)).toBe(true);
        });
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e6, max: 1e6 })), (ints) => {
        // γ = 2^-4: k·γ / γ is exactly k.
        expect(Array.from(quantise(ints.map((k) => k / 16), 1 / 16, random))).toEqual(ints);
      }),
    );
  });

  it('refuses values that do not fit in an int32 after scaling', () => {
    const random = createSeededRandomSource('quantise-range');
    expect(codeOf(() => quantise([1], 1e-10, random))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => quantise([NaN], 1, random))).toBe('OUT_OF_RANGE');
    expect(() => quantise([1], 0, random)).toThrow(RangeError);
  });
});

describe('wrap-around bound', () => {
  it('computes B from clip, granularity and noise', () => {
    expect(coordinateBound({ clipNorm: 1, granularity: 0.01 })).toBe(100);
    expect(coordinateBound({ clipNorm: 1, granularity: 0.01, noiseSigma: 3.5 })).toBe(100 + 49);
    expect(coordinateBound({ clipNorm: 1, granularity: 0.01, noiseSigma: 3.5, tailSigmas: 10 })).toBe(135);
  });

  it('throws WRAP_AROUND exactly when n·B ≥ modulus/2', () => {
    expect(() => assertNoWrapAround(2, 2 ** 30 - 1)).not.toThrow();
    expect(codeOf(() => assertNoWrapAround(2, 2 ** 30))).toBe('WRAP_AROUND');
    expect(codeOf(() => assertNoWrapAround(128, 2 ** 8, 2 ** 16))).toBe('WRAP_AROUND');
    expect(() => assertNoWrapAround(128, 2 ** 8 - 1, 2 ** 16)).not.toThrow();
    expect(() => assertNoWrapAround(1, 1, 3)).toThrow(RangeError);
  });

  it('whenever the check passes, the modular sum decodes to the exact signed sum', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2 ** 16, 2 ** 24, DEFAULT_MODULUS),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.infiniteStream(fc.double({ min: -1, max: 1, noNaN: true })),
        (modulus, clients, length, draws) => {
          // The largest bound the check allows, and vectors that use all of it.
          const bound = Math.ceil(modulus / 2 / clients) - 1;
          fc.pre(bound >= 1);
          assertNoWrapAround(clients, bound, modulus);
          const it = draws[Symbol.iterator]();
          const sum = new Uint32Array(length);
          const exact = new Float64Array(length);
          for (let c = 0; c < clients; c++) {
            const v = Int32Array.from({ length }, () => Math.round(it.next().value * bound));
            const residues = toModular(v, bound);
            residues.forEach((r, i) => {
              sum[i] = sum[i]! + r;
              exact[i] = exact[i]! + v[i]!;
            });
          }
          expect(Array.from(decodeSum(sum, 1, modulus).integers)).toEqual(Array.from(exact));
        },
      ),
    );
  });

  it('decodes to floats with the granularity, and toModular refuses values above the bound', () => {
    const decoded = decodeSum(toModular(Int32Array.from([-3, 0, 5]), 5), 0.5);
    expect(Array.from(decoded.integers)).toEqual([-3, 0, 5]);
    expect(Array.from(decoded.values)).toEqual([-1.5, 0, 2.5]);
    expect(codeOf(() => toModular(Int32Array.from([6]), 5))).toBe('OUT_OF_RANGE');
    expect(codeOf(() => toModular(Int32Array.from([-6]), 5))).toBe('OUT_OF_RANGE');
    expect(Array.from(addIntegerNoise(Int32Array.from([1, 2]), Int32Array.from([-4, 4])))).toEqual([-3, 6]);
  });
});
