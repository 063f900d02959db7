import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CLIENT_ID_PATTERN } from '@fedrec/core/protocol';

/**
 * Bearer tokens for FedRec clients:
 *
 *   v1.<clientId>.<expiresAt, seconds since the epoch>.<base64url HMAC-SHA256>
 *
 * The MAC covers a domain-separation label, the client id and the expiry, so
 * a token cannot be re-pointed at another client or extended. Tokens carry an
 * identity only: the server uses it for "one update per client per round",
 * for cohort membership and for strikes, never to link updates to a person.
 */
const TOKEN_VERSION = 'v1';
const MAC_LABEL = 'fedrec-token/v1';

export interface IssuedToken {
  readonly clientId: string;
  readonly token: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

export interface IssueTokenOptions {
  /** HMAC key; at least 32 characters. */
  readonly secret: string;
  /** Default: 16 random bytes, base64url. */
  readonly clientId?: string;
  /** Default: 7 days. */
  readonly ttlSeconds?: number;
  /** Default: `Date.now()`. */
  readonly now?: number;
}

export type TokenFailure = 'MALFORMED' | 'BAD_SIGNATURE' | 'EXPIRED';

export type TokenVerification =
  | { readonly ok: true; readonly clientId: string; readonly expiresAt: number }
  | { readonly ok: false; readonly failure: TokenFailure };

function assertSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length < 32) {
    throw new RangeError('expected a token secret of at least 32 characters');
  }
}

function mac(secret: string, clientId: string, expiresAtSeconds: number): Buffer {
  return createHmac('sha256', secret).update(`${MAC_LABEL}\n${clientId}\n${expiresAtSeconds}`).digest();
}

/** A fresh random client id (128 bits). */
export function randomClientId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Issues a token for a client.
 *
 * @example
 * const { token } = issueToken({ secret, clientId: 'shop-42-device-7', ttlSeconds: 3600 });
 * io(url, { auth: { token, protocolVersion: PROTOCOL_VERSION } });
 */
export function issueToken(options: IssueTokenOptions): IssuedToken {
  assertSecret(options.secret);
  const clientId = options.clientId ?? randomClientId();
  if (!CLIENT_ID_PATTERN.test(clientId)) {
    throw new RangeError(`expected clientId to match ${CLIENT_ID_PATTERN.source}`);
  }
  const ttlSeconds = options.ttlSeconds ?? 7 * 24 * 3600;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError(`expected ttlSeconds >= 1, got ${ttlSeconds}`);
  const now = options.now ?? Date.now();
  const expiresAtSeconds = Math.floor(now / 1000) + ttlSeconds;
  const signature = mac(options.secret, clientId, expiresAtSeconds).toString('base64url');
  return { clientId, token: `${TOKEN_VERSION}.${clientId}.${expiresAtSeconds}.${signature}`, expiresAt: expiresAtSeconds * 1000 };
}

/** Checks a token's form, MAC (in constant time) and expiry. Never throws on bad input. */
export function verifyToken(secret: string, token: unknown, now: number = Date.now()): TokenVerification {
  if (typeof token !== 'string' || token.length > 512) return { ok: false, failure: 'MALFORMED' };
  const parts = token.split('.');
  if (parts.length !== 4) return { ok: false, failure: 'MALFORMED' };
  const [version, clientId, expiry, signature] = parts as [string, string, string, string];
  if (version !== TOKEN_VERSION || !CLIENT_ID_PATTERN.test(clientId) || !/^[0-9]{1,12}$/.test(expiry)) {
    return { ok: false, failure: 'MALFORMED' };
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(signature)) return { ok: false, failure: 'MALFORMED' };
  const expiresAtSeconds = Number(expiry);
  const expected = mac(secret, clientId, expiresAtSeconds);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, failure: 'BAD_SIGNATURE' };
  // Checked after the MAC so an attacker learns nothing about expiry from a forged token.
  if (expiresAtSeconds * 1000 <= now) return { ok: false, failure: 'EXPIRED' };
  return { ok: true, clientId, expiresAt: expiresAtSeconds * 1000 };
}
