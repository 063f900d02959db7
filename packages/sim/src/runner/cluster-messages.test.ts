import { describe, it, expect } from 'vitest';
import { encodeJob, decodeJob, encodeChunk, decodeChunk, encodeResult, encodeFailure, decodeReply, CLUSTER_PROTOCOL_VERSION } from './cluster-messages.js';
import { ClusterMessageError } from './cluster-message-error.js';
import type { ChunkResult } from './client-update-chunk.js';

const address = { jobId: 'job_1', step: 3, chunkId: 7 };
const round = { round: 3, clipNorm: 0.5, localNoiseMultiplier: 0 };

function result(sum: Float64Array): ChunkResult {
  return { sum, contributors: 16, clipped: 4, unclipped: 12, normSum: 5.25 };
}

const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('cluster messages', () => {
  it('round-trip a job, a chunk, and dense and sparse results bit for bit', () => {
    const job = { jobId: 'abc', population: { kind: 'synthetic' as const, config: { shoppers: 10, items: 5, seed: 's' } }, settings: { seed: 7, localTraining: { epochs: 1 } } };
    expect(decodeJob(encodeJob(job))).toEqual(job);
    const shoppers = Int32Array.from([0, 5, 99]);
    expect(decodeChunk(encodeChunk({ ...address, round, shoppers }))).toEqual({ ...address, round, shoppers });
    // Dense: most values non-zero, NaN and the smallest subnormal kept exactly.
    const dense = Float64Array.from({ length: 50 }, (_, i) => (i === 3 ? NaN : i === 4 ? Number.MIN_VALUE : Math.sin(i + 1) / 3));
    const back = decodeReply(encodeResult(address, result(dense)), 50);
    expect(back.type === 'result' && bits(back.result.sum).equals(bits(dense))).toBe(true);
    expect(back).toMatchObject({ type: 'result', ...address, result: { contributors: 16, clipped: 4, unclipped: 12, normSum: 5.25 } });
    // Sparse: a few rows touched; the message is smaller than the dense sum, and decoding into a dirty scratch array still gives the same bits.
    const sparse = new Float64Array(1000);
    sparse[10] = 0.1;
    sparse[999] = -2e-300;
    const bytes = encodeResult(address, result(sparse));
    expect(bytes.byteLength).toBeLessThan(200);
    const sparseBack = decodeReply(bytes, 1000, new Float64Array(1000).fill(9));
    expect(sparseBack.type === 'result' && bits(sparseBack.result.sum).equals(bits(sparse))).toBe(true);
    // Two thirds non-zero (a chunk at MovieLens-100K scale): a bitmap and the values, smaller than dense.
    const mostly = Float64Array.from({ length: 1001 }, (_, i) => (i % 3 === 0 ? 0 : i / 7));
    const bitmapBytes = encodeResult(address, result(mostly));
    expect(bitmapBytes.byteLength).toBeLessThan(mostly.byteLength * 0.7);
    const bitmapBack = decodeReply(bitmapBytes, 1001, new Float64Array(1001).fill(-1));
    expect(bitmapBack.type === 'result' && bits(bitmapBack.result.sum).equals(bits(mostly))).toBe(true);
    expect(decodeReply(encodeFailure(address, 'no such file'), 1000)).toEqual({ type: 'failure', ...address, message: 'no such file' });
  });

  const chunkBytes = () => encodeChunk({ ...address, round, shoppers: Int32Array.from([1, 2]) });

  it.each<[string, () => Uint8Array, RegExp]>([
    ['bad magic', () => Uint8Array.from([1, 2, 3, 4, 1, 2]), /not a FedRec cluster message \(bad magic\)/],
    ['another version', () => Object.assign(chunkBytes(), { [4]: CLUSTER_PROTOCOL_VERSION + 1 }), /protocol version 2, this worker speaks 1 \(run the same FedRec version/],
    ['another kind', () => encodeFailure(address, 'x'), /cluster chunk message: got kind 4/],
    ['truncated', () => chunkBytes().subarray(0, 30), /cluster chunk message is truncated at/],
    ['trailing bytes', () => Uint8Array.from([...chunkBytes(), 0]), /cluster chunk message has 1 trailing bytes/],
    ['a negative shopper', () => encodeChunk({ ...address, round, shoppers: Int32Array.from([1, -2]) }), /expected shopper ids >= 0, got -2/],
    ['more shoppers than one block', () => encodeChunk({ ...address, round, shoppers: new Int32Array(129) }), /expected 1 to 128 shoppers \(one block\), got 129/],
    ['a clip norm of 0', () => encodeChunk({ ...address, round: { ...round, clipNorm: 0 }, shoppers: new Int32Array(1) }), /expected a clip norm > 0 and finite, got 0/],
  ])('refuse a chunk message with %s, saying why', (_name, bytes, message) => {
    expect(() => decodeChunk(bytes())).toThrow(ClusterMessageError);
    expect(() => decodeChunk(bytes())).toThrow(message);
  });

  it('refuse a result of another length, and sparse indices out of order', () => {
    expect(() => decodeReply(encodeResult(address, result(new Float64Array(4).fill(1))), 5)).toThrow(/expected a sum of 5 values, got 4/);
    const sparse = new Float64Array(100);
    sparse[1] = 1;
    sparse[2] = 2;
    const bytes = encodeResult(address, result(sparse));
    // The two u32 indices sit before the values at the end: swap them.
    const view = new DataView(bytes.buffer);
    const at = bytes.byteLength - 16 - 8;
    view.setUint32(at, 2, true);
    view.setUint32(at + 4, 1, true);
    expect(() => decodeReply(bytes, 100)).toThrow(/expected increasing indices below 100, got 1 after 2/);
  });

  it('refuse a bitmap that does not match its count of values, or marks bits past the end', () => {
    const mostly = Float64Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? 0 : i));
    const bytes = encodeResult(address, result(mostly));
    // Layout after the header and address: counts, norm sum, length, encoding (2), count, 3-byte bitmap, 15 values.
    const bitmapAt = bytes.byteLength - 15 * 8 - 3;
    expect(bytes[bitmapAt - 5]).toBe(2);
    const extraBit = bytes.slice();
    extraBit[bitmapAt]! |= 1; // coordinate 0, which is zero
    expect(() => decodeReply(extraBit, 20)).toThrow(/the bitmap marks more than its 15 non-zero values/);
    const missingBit = bytes.slice();
    missingBit[bitmapAt]! &= ~2; // coordinate 1, which is not
    expect(() => decodeReply(missingBit, 20)).toThrow(/the bitmap marks 14 of its 15 non-zero values/);
    const pastEnd = bytes.slice();
    pastEnd[bitmapAt + 2]! |= 0x80; // bit 23 of a sum of 20
    expect(() => decodeReply(pastEnd, 20)).toThrow(/bitmap bits set past the end of the sum/);
  });

  it('refuse a job body with unknown fields or bad values, naming the field', () => {
    const job = (settings: object) => encodeJob({ jobId: 'j', population: { kind: 'synthetic', config: { shoppers: 10, items: 5, seed: 1 } }, settings: settings as never });
    expect(() => decodeJob(job({ seed: 1, secret: true }))).toThrow(/cluster job message: settings: Unrecognized key: "secret"/);
    expect(() => decodeJob(job({ seed: 1, localTraining: { batchSize: -1 } }))).toThrow(/settings\.localTraining\.batchSize/);
    expect(() => encodeJob({ jobId: 'a b', population: { kind: 'synthetic', config: { shoppers: 1, items: 1, seed: 1 } }, settings: { seed: 1 } })).toThrow(/expected a job id/);
  });
});
