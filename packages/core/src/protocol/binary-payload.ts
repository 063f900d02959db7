/**
 * The binary part of a message as a Uint8Array, or undefined if it is not
 * binary at all. socket.io hands binary attachments over as a Buffer in Node
 * (a Uint8Array subclass) and as an ArrayBuffer in browsers; anything else
 * (a string, a JSON array of numbers, an object) is refused, so tensors can
 * only ever arrive as bytes.
 *
 * Returns a view, not a copy.
 */
export function toBytes(raw: unknown): Uint8Array | undefined {
  if (raw instanceof Uint8Array) return raw;
  if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
  if (ArrayBuffer.isView(raw)) return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  return undefined;
}
