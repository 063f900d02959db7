import type * as z from '../zod.js';
import type { MessageKindName } from './message-kind.js';
import { MessageKind } from './message-kind.js';
import { MESSAGE_SCHEMAS, handshakeAuthSchema, type HandshakeAuth, type ProtocolMessages } from './messages.js';
import { PROTOCOL_VERSION } from './protocol-version.js';

export type ParseFailureReason = 'MALFORMED' | 'UNSUPPORTED_VERSION';

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: ParseFailureReason; readonly message: string };

function isRecord(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

/**
 * Names the first failing field and what was expected, never the value it
 * held: the input is untrusted and messages end up in logs.
 */
function describeIssues(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid message';
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(message)';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${path}: ${issue.code}${more}`.slice(0, 200);
}

/**
 * Validates the metadata of a message of `kind` received from a peer.
 *
 * The protocol version is checked before anything else, so a peer speaking a
 * different version hears UNSUPPORTED_VERSION rather than a confusing schema
 * error about some field that changed meaning.
 *
 * @example
 * const parsed = parseMessage('update', raw);
 * if (!parsed.ok) return reject(parsed.reason, parsed.message);
 * use(parsed.value.roundId);
 */
export function parseMessage<K extends MessageKindName>(kind: K, raw: unknown): ParseResult<ProtocolMessages[K]> {
  if (!isRecord(raw)) return { ok: false, reason: 'MALFORMED', message: 'expected an object' };
  if (typeof raw.v === 'number' && raw.v !== PROTOCOL_VERSION) {
    return { ok: false, reason: 'UNSUPPORTED_VERSION', message: `protocol version ${raw.v} is not supported (expected ${PROTOCOL_VERSION})` };
  }
  if (raw.kind !== MessageKind[kind]) {
    return { ok: false, reason: 'MALFORMED', message: `kind: expected ${MessageKind[kind]} (${kind})` };
  }
  const schema = MESSAGE_SCHEMAS[kind] as unknown as z.ZodMiniType<ProtocolMessages[K]>;
  const result = schema.safeParse(raw);
  if (!result.success) return { ok: false, reason: 'MALFORMED', message: describeIssues(result.error) };
  return { ok: true, value: result.data };
}

/** Validates socket.io's handshake `auth` object; the protocol version is checked first, as for messages. */
export function parseHandshakeAuth(raw: unknown): ParseResult<HandshakeAuth> {
  if (isRecord(raw) && typeof raw.protocolVersion === 'number' && raw.protocolVersion !== PROTOCOL_VERSION) {
    return {
      ok: false,
      reason: 'UNSUPPORTED_VERSION',
      message: `protocol version ${raw.protocolVersion} is not supported (expected ${PROTOCOL_VERSION})`,
    };
  }
  const result = handshakeAuthSchema.safeParse(raw);
  if (!result.success) return { ok: false, reason: 'MALFORMED', message: describeIssues(result.error) };
  return { ok: true, value: result.data };
}
