import { HOST_IS_LITTLE_ENDIAN } from '@fedrec/core/format';
import { ClusterMessageError } from './cluster-message-error.js';

/**
 * The byte-level reader and writer of the simulation cluster's messages:
 * little-endian fixed-width fields, length-prefixed UTF-8 strings and typed
 * arrays. Reading checks every length against the bytes actually present,
 * so a truncated or padded message is an error, never an out-of-range read.
 */
export class WireWriter {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private offset = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(value: number): this {
    this.view.setUint8(this.offset, value);
    this.offset += 1;
    return this;
  }

  u32(value: number): this {
    this.view.setUint32(this.offset, value, true);
    this.offset += 4;
    return this;
  }

  f64(value: number): this {
    this.view.setFloat64(this.offset, value, true);
    this.offset += 8;
    return this;
  }

  raw(part: Uint8Array): this {
    this.bytes.set(part, this.offset);
    this.offset += part.byteLength;
    return this;
  }

  /** u32 length, then the UTF-8 bytes (pre-encoded: the size had to be known up front). */
  string(utf8: Uint8Array): this {
    return this.u32(utf8.byteLength).raw(utf8);
  }

  /** The values' little-endian bytes (no length prefix: the caller writes the count it needs). */
  typed(values: Int32Array | Uint32Array | Float64Array): this {
    if (HOST_IS_LITTLE_ENDIAN) return this.raw(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    const set = values instanceof Float64Array ? 'setFloat64' : values instanceof Int32Array ? 'setInt32' : 'setUint32';
    for (let i = 0; i < values.length; i++) this.view[set](this.offset + i * values.BYTES_PER_ELEMENT, values[i]!, true);
    this.offset += values.byteLength;
    return this;
  }

  finish(): Uint8Array {
    if (this.offset !== this.bytes.byteLength) throw new Error(`wrote ${this.offset} of ${this.bytes.byteLength} bytes: a message size is miscounted`);
    return this.bytes;
  }
}

export class WireReader {
  private readonly view: DataView;
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    /** What is being read, for error messages ("chunk message"). */
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(count: number, field: string): void {
    if (this.bytes.byteLength - this.offset < count) throw new ClusterMessageError(`${this.what} is truncated at ${field} (${this.bytes.byteLength} bytes)`);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.view.getUint8(this.offset++);
  }

  u32(field: string): number {
    this.need(4, field);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  f64(field: string): number {
    this.need(8, field);
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  /** A u32 length (at most `maxBytes`), then that many UTF-8 bytes. */
  string(field: string, maxBytes: number): string {
    const length = this.u32(`${field} length`);
    if (length > maxBytes) throw new ClusterMessageError(`${this.what}: expected ${field} of at most ${maxBytes} bytes, got ${length}`);
    this.need(length, field);
    const text = new TextDecoder('utf-8', { fatal: true });
    try {
      return text.decode(this.bytes.subarray(this.offset, (this.offset += length)));
    } catch {
      throw new ClusterMessageError(`${this.what}: ${field} is not valid UTF-8`);
    }
  }

  /** `count` bytes, copied. */
  raw(count: number, field: string): Uint8Array {
    this.need(count, field);
    return this.bytes.slice(this.offset, (this.offset += count));
  }

  /** `count` little-endian values into a fresh array. */
  int32s(count: number, field: string): Int32Array {
    return this.typed(new Int32Array(count), field, 'getInt32');
  }

  uint32s(count: number, field: string): Uint32Array {
    return this.typed(new Uint32Array(count), field, 'getUint32');
  }

  /** As `int32s`; into `into` instead when it has exactly `count` elements. */
  float64s(count: number, field: string, into?: Float64Array): Float64Array {
    return this.typed(into?.length === count ? into : new Float64Array(count), field, 'getFloat64');
  }

  /** Fails unless every byte has been read: a message with trailing bytes is not one we wrote. */
  end(): void {
    if (this.offset !== this.bytes.byteLength) throw new ClusterMessageError(`${this.what} has ${this.bytes.byteLength - this.offset} trailing bytes`);
  }

  private typed<T extends Int32Array | Uint32Array | Float64Array>(out: T, field: string, get: 'getInt32' | 'getUint32' | 'getFloat64'): T {
    const byteLength = out.length * out.BYTES_PER_ELEMENT;
    this.need(byteLength, field);
    // Copy, not view: the input may sit at any byte offset of a shared buffer.
    if (HOST_IS_LITTLE_ENDIAN) new Uint8Array(out.buffer, out.byteOffset, byteLength).set(this.bytes.subarray(this.offset, this.offset + byteLength));
    else for (let i = 0; i < out.length; i++) out[i] = this.view[get](this.offset + i * out.BYTES_PER_ELEMENT, true);
    this.offset += byteLength;
    return out;
  }
}
