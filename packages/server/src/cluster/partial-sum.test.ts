import { describe, expect, it } from 'vitest';
import { noDeclines } from '../rounds/decline-counts.js';
import { decodePartialSum, encodePartialSum, PartialSumError, type PartialSum } from './partial-sum.js';

const partial: PartialSum = {
  nodeId: 'node-1',
  token: 3,
  roundId: 12,
  modelVersion: 4,
  count: 2,
  totalWeight: 2,
  unclipped: 1,
  cohortSize: 3,
  declined: { ...noDeclines(), consent: 1 },
  sum: Float64Array.from([0.1, -2.5, 1e-300, 3]),
};

describe('partial sum', () => {
  it('round-trips every field and the sum bit for bit', () => {
    const decoded = decodePartialSum(encodePartialSum(partial), 4);
    expect({ ...decoded, sum: Array.from(decoded.sum) }).toEqual({ ...partial, sum: Array.from(partial.sum) });
  });

  it('reads an aligned sum in place and copies an unaligned one, bit for bit either way', () => {
    const bytes = encodePartialSum(partial);
    const aligned = decodePartialSum(bytes, 4);
    expect(aligned.sum.buffer).toBe(bytes.buffer);
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    const unaligned = decodePartialSum(shifted.subarray(1), 4);
    expect(unaligned.sum.buffer).not.toBe(shifted.buffer);
    for (const decoded of [aligned, unaligned]) expect(Array.from(new Uint8Array(decoded.sum.buffer, decoded.sum.byteOffset, 32))).toEqual(Array.from(new Uint8Array(partial.sum.buffer)));
  });

  it('refuses every truncation, a wrong length, a bad magic and a non-finite sum', () => {
    const bytes = encodePartialSum(partial);
    for (let length = 0; length < bytes.length; length++) expect(() => decodePartialSum(bytes.subarray(0, length), 4)).toThrow(PartialSumError);
    expect(() => decodePartialSum(bytes, 5)).toThrow(/expected a sum of 5 float64s/);
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(() => decodePartialSum(badMagic, 4)).toThrow(/bad magic/);
    expect(() => decodePartialSum(encodePartialSum({ ...partial, sum: Float64Array.from([0, Number.NaN, 0, 0]) }), 4)).toThrow(/not finite/);
    expect(() => decodePartialSum(encodePartialSum({ ...partial, token: 0 }), 4)).toThrow(/header/);
  });
});
