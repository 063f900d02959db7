/**
 * Moves float32 values between memory and the little-endian wire order.
 *
 * On little-endian hosts (every browser and Node platform in practice) memory
 * order already is wire order, so both directions are a plain byte copy: that
 * is fast and bit-exact for every value, NaN payloads included. The DataView
 * fallback keeps big-endian hosts correct.
 */
import { HOST_IS_LITTLE_ENDIAN } from './host-byte-order.js';

/** Writes `values` as little-endian float32 into `out` starting at `offset`. */
export function writeFloat32LE(out: Uint8Array, offset: number, values: Float32Array): void {
  if (HOST_IS_LITTLE_ENDIAN) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + offset, values.byteLength);
  for (let i = 0; i < values.length; i++) {
    view.setFloat32(i * 4, values[i] as number, true);
  }
}

/**
 * Copies `count` little-endian float32 values from `bytes` (any byte offset:
 * the input may be an unaligned view into a larger buffer) into a fresh,
 * independently owned Float32Array.
 */
export function readFloat32LE(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
  for (let i = 0; i < count; i++) {
    out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}
