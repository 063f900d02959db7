/**
 * Stream entries out of a node-redis XREAD / XREADGROUP / XAUTOCLAIM reply,
 * checked rather than cast: the reply's static type is loose, and what sits
 * in the stream may have been written by anyone with access to the prefix.
 * Deleted entries (null in XAUTOCLAIM's reply) are skipped.
 */
export interface StreamEntry {
  readonly id: string;
  /** The entry's one message field, `undefined` when it lacks it or it is not binary. */
  readonly body: Buffer | undefined;
}

/** Entries of XREAD / XREADGROUP's reply for one stream (`[{ name, messages }]` or null). */
export function readReplyEntries(reply: unknown, field: string): StreamEntry[] {
  if (reply === null || reply === undefined) return [];
  if (!Array.isArray(reply)) throw new TypeError('expected an array from XREAD');
  return reply.flatMap((stream: unknown) => messagesOf(stream, field));
}

/** Entries of XAUTOCLAIM's reply (`{ nextId, messages }`), and its cursor for the next call. */
export function claimReplyEntries(reply: unknown, field: string): { readonly next: string; readonly entries: StreamEntry[] } {
  if (typeof reply !== 'object' || reply === null || !('nextId' in reply)) throw new TypeError('expected { nextId, messages } from XAUTOCLAIM');
  return { next: String(reply.nextId), entries: messagesOf(reply, field) };
}

function messagesOf(holder: unknown, field: string): StreamEntry[] {
  if (typeof holder !== 'object' || holder === null || !('messages' in holder) || !Array.isArray(holder.messages)) throw new TypeError('expected { messages } in a stream reply');
  const entries: StreamEntry[] = [];
  for (const message of holder.messages as unknown[]) {
    if (message === null) continue;
    if (typeof message !== 'object' || !('id' in message) || !('message' in message)) throw new TypeError('expected { id, message } stream entries');
    const fields = message.message;
    const body = typeof fields === 'object' && fields !== null && field in fields ? (fields as Record<string, unknown>)[field] : undefined;
    entries.push({ id: String(message.id), body: Buffer.isBuffer(body) ? body : undefined });
  }
  return entries;
}
