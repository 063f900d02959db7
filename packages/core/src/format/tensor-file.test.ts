import CRC32 from 'crc-32';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelUpdate, ParameterShape, SharedModel } from '../model/shared-parameters.js';
import { parameterCount } from '../model/shared-parameters.js';
import { FormatError, type FormatErrorCode } from './format-error.js';
import { decodeModel, decodeUpdate, encodeModel, encodeUpdate } from './tensor-file.js';
import { HEADER_BYTES, peekHeader } from './tensor-header.js';

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** Runs `fn`, requires a FormatError, and returns its code. */
function formatErrorCode(fn: () => unknown): FormatErrorCode {
  try {
    fn();
  } catch (error) {
    if (error instanceof FormatError) return error.code;
    throw new Error(`expected a FormatError, got ${String(error)}`);
  }
  throw new Error('expected a FormatError, but decoding succeeded');
}

/** Rewrites the stored checksum so a deliberately edited file passes the CRC and reaches the check under test. */
function withValidChecksum(file: Uint8Array): Uint8Array {
  const out = file.slice();
  const view = new DataView(out.buffer);
  const crc = CRC32.buf(out.subarray(HEADER_BYTES), CRC32.buf(out.subarray(0, 28)));
  view.setUint32(28, crc >>> 0, true);
  return out;
}

function setU32(file: Uint8Array, offset: number, value: number): Uint8Array {
  const out = file.slice();
  new DataView(out.buffer).setUint32(offset, value, true);
  return out;
}

const tinyModel: SharedModel = { shape: { numItems: 1, dim: 1 }, version: 7, values: new Float32Array([1.5, -0]) };
// Computed independently (Python struct + zlib.crc32), so this pins the wire format, not just self-consistency.
const TINY_MODEL_HEX =
  '46526563' + '0100' + '01' + '01' + '07000000' + '01000000' + '01000000' + '08000000' + '00000000' + '4af77b14' +
  '0000c03f' + '00000080';

const tinyUpdate: ModelUpdate = {
  shape: { numItems: 2, dim: 1 },
  baseVersion: 3,
  values: new Float32Array([0.25, -2, 1e-45, 0.5]),
};
const TINY_UPDATE_HEX =
  '46526563' + '0100' + '02' + '01' + '03000000' + '02000000' + '01000000' + '10000000' + '00000000' + '47da93a1' +
  '0000803e' + '000000c0' + '01000000' + '0000003f';

const shapeArb = fc.record({ numItems: fc.integer({ min: 1, max: 12 }), dim: fc.integer({ min: 1, max: 6 }) });
const u32Arb = fc.integer({ min: 0, max: 0xffff_ffff });

/** Any float32 bit pattern at all: NaN payloads, -0, subnormals, infinities. */
function anyFloatsArb(count: number): fc.Arbitrary<Float32Array> {
  return fc
    .array(u32Arb, { minLength: count, maxLength: count })
    .map((words) => new Float32Array(new Uint32Array(words).buffer));
}

function finiteFloatsArb(count: number): fc.Arbitrary<Float32Array> {
  return fc
    .array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: count, maxLength: count })
    .map((xs) => new Float32Array(xs));
}

const modelArb: fc.Arbitrary<SharedModel> = shapeArb.chain((shape) =>
  fc.record({ shape: fc.constant(shape), version: u32Arb, values: anyFloatsArb(parameterCount(shape)) }),
);

const updateArb: fc.Arbitrary<ModelUpdate> = shapeArb.chain((shape) =>
  fc.record({ shape: fc.constant(shape), baseVersion: u32Arb, values: finiteFloatsArb(parameterCount(shape)) }),
);

describe('known-answer vectors', () => {
  it('encodes a tiny model to exactly the pinned bytes', () => {
    expect(hex(encodeModel(tinyModel))).toBe(TINY_MODEL_HEX);
  });

  it('encodes a tiny update (with a subnormal) to exactly the pinned bytes', () => {
    expect(hex(encodeUpdate(tinyUpdate))).toBe(TINY_UPDATE_HEX);
  });

  it('decodes the pinned bytes, keeping -0 and subnormals', () => {
    const model = decodeModel(fromHex(TINY_MODEL_HEX));
    expect(model.shape).toEqual({ numItems: 1, dim: 1 });
    expect(model.version).toBe(7);
    expect(model.values[0]).toBe(1.5);
    expect(Object.is(model.values[1], -0)).toBe(true);

    const update = decodeUpdate(fromHex(TINY_UPDATE_HEX));
    expect(update.baseVersion).toBe(3);
    expect(Array.from(bits(update.values))).toEqual([0x3e800000, 0xc0000000, 0x00000001, 0x3f000000]);
  });

  it('peekHeader reports the header fields', () => {
    expect(peekHeader(fromHex(TINY_UPDATE_HEX))).toEqual({
      formatVersion: 1,
      kind: 'update',
      dtype: 'float32',
      version: 3,
      shape: { numItems: 2, dim: 1 },
      payloadByteLength: 16,
      checksum: 0xa193da47,
    });
  });
});

describe('round trip', () => {
  it('models round-trip bit for bit, whatever the values', () => {
    fc.assert(
      fc.property(modelArb, (model) => {
        const decoded = decodeModel(encodeModel(model), { expectedShape: model.shape });
        expect(decoded.shape).toEqual(model.shape);
        expect(decoded.version).toBe(model.version);
        expect(bits(decoded.values)).toEqual(bits(model.values));
      }),
    );
  });

  it('finite updates round-trip bit for bit', () => {
    fc.assert(
      fc.property(updateArb, (update) => {
        const decoded = decodeUpdate(encodeUpdate(update));
        expect(decoded.shape).toEqual(update.shape);
        expect(decoded.baseVersion).toBe(update.baseVersion);
        expect(bits(decoded.values)).toEqual(bits(update.values));
      }),
    );
  });

  it('encodes from a Float32Array that is a view into a larger buffer', () => {
    const backing = new Float32Array([9, 9, 1.5, -0, 9]);
    const model = { ...tinyModel, values: backing.subarray(2, 4) };
    expect(hex(encodeModel(model))).toBe(TINY_MODEL_HEX);
  });

  it('decodes from an unaligned view into a larger buffer, into an independent copy', () => {
    const file = fromHex(TINY_UPDATE_HEX);
    const backing = new Uint8Array(file.length + 10).fill(0xee);
    backing.set(file, 3);
    const view = backing.subarray(3, 3 + file.length);
    const decoded = decodeUpdate(view);
    expect(Array.from(decoded.values)).toEqual(Array.from(tinyUpdate.values));
    backing.fill(0);
    expect(Array.from(decoded.values)).toEqual(Array.from(tinyUpdate.values));
  });
});

describe('encoding rejects what the format cannot hold', () => {
  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32])('version %s', (version) => {
    expect(() => encodeModel({ ...tinyModel, version })).toThrow(RangeError);
    expect(() => encodeUpdate({ ...tinyUpdate, baseVersion: version })).toThrow(RangeError);
  });

  it.each<ParameterShape>([
    { numItems: 0, dim: 1 },
    { numItems: 1, dim: 0 },
    { numItems: 1.5, dim: 1 },
    { numItems: 2 ** 32, dim: 1 },
    { numItems: 2 ** 29, dim: 1 },
  ])('shape %o', (shape) => {
    expect(() => encodeModel({ ...tinyModel, shape })).toThrow(RangeError);
  });

  it('a value count that does not match the shape', () => {
    expect(() => encodeModel({ ...tinyModel, values: new Float32Array(3) })).toThrow(RangeError);
  });
});

describe('decoding rejects bad input with a FormatError', () => {
  const model = encodeModel({ shape: { numItems: 3, dim: 2 }, version: 5, values: new Float32Array(9).fill(0.5) });

  it('every truncation is TRUNCATED', () => {
    for (let length = 0; length < model.length; length++) {
      expect(formatErrorCode(() => decodeModel(model.subarray(0, length)))).toBe('TRUNCATED');
    }
  });

  it('trailing bytes are LENGTH_MISMATCH', () => {
    const longer = new Uint8Array(model.length + 1);
    longer.set(model);
    expect(formatErrorCode(() => decodeModel(longer))).toBe('LENGTH_MISMATCH');
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        formatErrorCode(() => decodeModel(bytes));
        formatErrorCode(() => decodeUpdate(bytes));
      }),
    );
  });

  it('random bytes behind a plausible header prefix', () => {
    const prefix = fromHex(TINY_MODEL_HEX).subarray(0, 8);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (tail) => {
        const bytes = new Uint8Array(prefix.length + tail.length);
        bytes.set(prefix);
        bytes.set(tail, prefix.length);
        formatErrorCode(() => decodeModel(bytes));
      }),
    );
  });

  it('any single corrupted byte, header or payload', () => {
    for (const file of [model, encodeUpdate(tinyUpdate)]) {
      const decode = file === model ? decodeModel : decodeUpdate;
      for (let position = 0; position < file.length; position++) {
        for (const mask of [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff]) {
          const corrupt = file.slice();
          corrupt[position] = (corrupt[position] as number) ^ mask;
          formatErrorCode(() => decode(corrupt));
        }
      }
    }
  });

  it('a corrupt payload byte is CHECKSUM_MISMATCH', () => {
    const corrupt = model.slice();
    corrupt[HEADER_BYTES + 5] = (corrupt[HEADER_BYTES + 5] as number) ^ 0x10;
    expect(formatErrorCode(() => decodeModel(corrupt))).toBe('CHECKSUM_MISMATCH');
  });

  it('specific header problems get specific codes', () => {
    const badMagic = model.slice();
    badMagic[0] = 0x47;
    expect(formatErrorCode(() => decodeModel(badMagic))).toBe('BAD_MAGIC');

    const v2 = model.slice();
    v2[4] = 2;
    expect(formatErrorCode(() => decodeModel(withValidChecksum(v2)))).toBe('UNSUPPORTED_FORMAT_VERSION');

    const kind9 = model.slice();
    kind9[6] = 9;
    expect(formatErrorCode(() => decodeModel(withValidChecksum(kind9)))).toBe('UNKNOWN_KIND');

    const float64 = model.slice();
    float64[7] = 2;
    expect(formatErrorCode(() => decodeModel(withValidChecksum(float64)))).toBe('UNSUPPORTED_DTYPE');

    expect(formatErrorCode(() => decodeModel(withValidChecksum(setU32(model, 24, 1))))).toBe('RESERVED_NOT_ZERO');
    expect(formatErrorCode(() => decodeModel(withValidChecksum(setU32(model, 12, 0))))).toBe('BAD_SHAPE');
    expect(formatErrorCode(() => decodeModel(withValidChecksum(setU32(model, 16, 0))))).toBe('BAD_SHAPE');
    expect(formatErrorCode(() => decodeModel(withValidChecksum(setU32(model, 20, 40))))).toBe('LENGTH_MISMATCH');
  });

  it('the wrong kind is WRONG_KIND, both ways', () => {
    expect(formatErrorCode(() => decodeUpdate(model))).toBe('WRONG_KIND');
    expect(formatErrorCode(() => decodeModel(encodeUpdate(tinyUpdate)))).toBe('WRONG_KIND');
  });

  it('an unexpected shape is SHAPE_MISMATCH', () => {
    expect(formatErrorCode(() => decodeModel(model, { expectedShape: { numItems: 3, dim: 3 } }))).toBe('SHAPE_MISMATCH');
    expect(formatErrorCode(() => decodeModel(model, { expectedShape: { numItems: 2, dim: 2 } }))).toBe('SHAPE_MISMATCH');
    expect(decodeModel(model, { expectedShape: { numItems: 3, dim: 2 } }).version).toBe(5);
  });

  it('more floats than maxFloats is TOO_LARGE', () => {
    expect(formatErrorCode(() => decodeModel(model, { maxFloats: 8 }))).toBe('TOO_LARGE');
    expect(decodeModel(model, { maxFloats: 9 }).values.length).toBe(9);
    expect(() => decodeModel(model, { maxFloats: Number.NaN })).toThrow(RangeError);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('%s in an update is NON_FINITE', (bad) => {
    const values = new Float32Array([0.1, 0.2, bad, 0.4]);
    const file = encodeUpdate({ ...tinyUpdate, values });
    expect(formatErrorCode(() => decodeUpdate(file))).toBe('NON_FINITE');
    expect(Number.isNaN(bad) ? Number.isNaN(decodeUpdate(file, { requireFinite: false }).values[2]) : true).toBe(true);
  });

  it('models keep non-finite values unless asked to refuse them', () => {
    const file = encodeModel({ ...tinyModel, values: new Float32Array([Number.NaN, Number.NEGATIVE_INFINITY]) });
    expect(decodeModel(file).values[1]).toBe(Number.NEGATIVE_INFINITY);
    expect(formatErrorCode(() => decodeModel(file, { requireFinite: true }))).toBe('NON_FINITE');
  });

  it('a header claiming a huge shape fails before allocating for it', () => {
    // numItems × (dim + 1) × 4 = 0xFFFFFFF8: a self-consistent header for a ~4 GiB payload, on a 40-byte file.
    const liar = withValidChecksum(setU32(setU32(setU32(fromHex(TINY_MODEL_HEX), 12, 0x1fff_ffff), 16, 1), 20, 0xffff_fff8));
    const largest = withLargestFloat32Allocation(() => {
      expect(formatErrorCode(() => decodeModel(liar))).toBe('TRUNCATED');
      expect(formatErrorCode(() => decodeModel(liar, { maxFloats: 1_000 }))).toBe('TOO_LARGE');
      // An inconsistent header (payload length not matching the shape) is caught too.
      const inconsistent = setU32(setU32(fromHex(TINY_MODEL_HEX), 12, 0xffff_ffff), 16, 0xffff_ffff);
      expect(formatErrorCode(() => decodeModel(inconsistent))).toBe('LENGTH_MISMATCH');
      // A genuine 9-float model, to show the probe does see the decoder's allocations.
      decodeModel(model);
    });
    expect(largest).toBe(9);
  });
});

/** Runs `fn` while recording the largest Float32Array the code under test constructs. */
function withLargestFloat32Allocation(fn: () => void): number {
  const original = globalThis.Float32Array;
  let largest = 0;
  globalThis.Float32Array = new Proxy(original, {
    construct(target, args: unknown[]) {
      const [first] = args;
      if (typeof first === 'number') largest = Math.max(largest, first);
      return Reflect.construct(target, args) as object;
    },
  });
  try {
    fn();
  } finally {
    globalThis.Float32Array = original;
  }
  return largest;
}
