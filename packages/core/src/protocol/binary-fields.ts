/**
 * Messages with many binary fields (SecAgg+ keys, sealed shares) travel as
 * JSON metadata plus ONE binary attachment: socket.io's parser refuses
 * packets with more than 10 attachments (`maxAttachments`), and one blob is
 * also cheaper to frame than dozens. Each `Uint8Array` becomes a placeholder
 * `{ "$bytes": [offset, length] }` into the blob; unpacking checks every
 * placeholder against the blob and copies the bytes out.
 */

/** Deeper than any protocol message: bounds the work on hostile input. */
const MAX_DEPTH = 8;
const PLACEHOLDER_KEY = '$bytes';

export interface PackedBinary {
  readonly json: unknown;
  readonly blob: Uint8Array;
}

/**
 * Replaces every Uint8Array in `value` by a placeholder and concatenates their bytes.
 *
 * @example
 * const { json, blob } = packBinaryFields(message);
 * socket.emit(event, { ...envelope, message: json }, blob);
 */
export function packBinaryFields(value: unknown): PackedBinary {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const walk = (node: unknown, depth: number): unknown => {
    if (node instanceof Uint8Array) {
      parts.push(node);
      const placeholder = { [PLACEHOLDER_KEY]: [offset, node.byteLength] };
      offset += node.byteLength;
      return placeholder;
    }
    if (depth >= MAX_DEPTH) throw new RangeError(`expected a message nested at most ${MAX_DEPTH} levels deep`);
    if (Array.isArray(node)) return node.map((item) => walk(item, depth + 1));
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = walk(item, depth + 1);
      return out;
    }
    return node;
  };
  const json = walk(value, 0);
  const blob = new Uint8Array(offset);
  let at = 0;
  for (const part of parts) {
    blob.set(part, at);
    at += part.byteLength;
  }
  return { json, blob };
}

/**
 * The inverse of `packBinaryFields` for untrusted input: every placeholder
 * must name a range inside `blob` (else RangeError, naming the path, never
 * the value). Bytes are copied, so the result does not alias the blob.
 */
export function unpackBinaryFields(json: unknown, blob: Uint8Array): unknown {
  const walk = (node: unknown, depth: number, path: string): unknown => {
    if (depth >= MAX_DEPTH) throw new RangeError(`expected a message nested at most ${MAX_DEPTH} levels deep at ${path}`);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, depth + 1, `${path}.${i}`));
    if (typeof node !== 'object' || node === null) return node;
    const record = node as Record<string, unknown>;
    if (PLACEHOLDER_KEY in record) {
      const range = record[PLACEHOLDER_KEY];
      if (Object.keys(record).length !== 1 || !Array.isArray(range) || range.length !== 2) throw new RangeError(`expected a binary placeholder at ${path}`);
      const [offset, length] = range as unknown[];
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || (offset as number) < 0 || (length as number) < 0 || (offset as number) + (length as number) > blob.byteLength) {
        throw new RangeError(`expected a byte range inside the attachment at ${path}`);
      }
      return blob.slice(offset as number, (offset as number) + (length as number));
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) out[key] = walk(item, depth + 1, `${path}.${key}`);
    return out;
  };
  return walk(json, 0, 'message');
}
