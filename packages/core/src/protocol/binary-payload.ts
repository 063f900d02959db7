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

/** Nesting deeper than any protocol message: a guard against hostile, deeply nested input. */
const MAX_BINARY_DEPTH = 8;

/**
 * A copy of a decoded message with every binary field as a Uint8Array:
 * browsers' socket.io hands nested binary over as ArrayBuffer, Node as
 * Buffer; the SecAgg schemas want Uint8Array. Plain values pass through;
 * anything nested deeper than 8 levels is left as it is (and then fails its
 * schema).
 *
 * @example
 * const parsed = parseMessage('secAggServer', withUint8Arrays(raw));
 */
export function withUint8Arrays(raw: unknown, depth = 0): unknown {
  const bytes = toBytes(raw);
  if (bytes !== undefined) return bytes;
  if (depth >= MAX_BINARY_DEPTH || typeof raw !== 'object' || raw === null) return raw;
  if (Array.isArray(raw)) return raw.map((item) => withUint8Arrays(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) out[key] = withUint8Arrays(value, depth + 1);
  return out;
}
