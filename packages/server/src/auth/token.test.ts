import { describe, expect, it } from 'vitest';
import { issueToken, verifyToken } from './token.js';

const secret = 'a-test-secret-of-at-least-32-characters';

describe('tokens', () => {
  it('verify what they issue, with the client id and expiry', () => {
    const now = 1_700_000_000_000;
    const issued = issueToken({ secret, clientId: 'device-1', ttlSeconds: 60, now });
    expect(issued.expiresAt).toBe(now + 60_000);
    expect(verifyToken(secret, issued.token, now)).toEqual({ ok: true, clientId: 'device-1', expiresAt: now + 60_000 });
  });

  it('pick a random 128-bit client id by default', () => {
    const a = issueToken({ secret });
    const b = issueToken({ secret });
    expect(a.clientId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.clientId).not.toBe(b.clientId);
  });

  it('fail when expired, forged, re-pointed or malformed', () => {
    const now = 1_700_000_000_000;
    const { token } = issueToken({ secret, clientId: 'device-1', ttlSeconds: 60, now });
    expect(verifyToken(secret, token, now + 60_000)).toEqual({ ok: false, failure: 'EXPIRED' });
    expect(verifyToken('another-secret-of-at-least-32-characters', token, now)).toEqual({ ok: false, failure: 'BAD_SIGNATURE' });
    const [v, , exp, sig] = token.split('.');
    expect(verifyToken(secret, `${v}.device-2.${exp}.${sig}`, now)).toEqual({ ok: false, failure: 'BAD_SIGNATURE' });
    expect(verifyToken(secret, `${v}.device-1.${Number(exp) + 1000}.${sig}`, now)).toEqual({ ok: false, failure: 'BAD_SIGNATURE' });
    for (const bad of ['', 'v1', 'v1.a.b.c', `v2.device-1.${exp}.${sig}`, `v1.dev ice.${exp}.${sig}`, `v1.device-1.${exp}.${sig}x`, 42, null, 'x'.repeat(600)]) {
      expect(verifyToken(secret, bad, now)).toEqual({ ok: false, failure: 'MALFORMED' });
    }
  });

  it('refuse short secrets, bad client ids and bad lifetimes when issuing', () => {
    expect(() => issueToken({ secret: 'short' })).toThrow(RangeError);
    expect(() => issueToken({ secret, clientId: 'has.dot' })).toThrow(RangeError);
    expect(() => issueToken({ secret, ttlSeconds: 0 })).toThrow(RangeError);
  });
});
