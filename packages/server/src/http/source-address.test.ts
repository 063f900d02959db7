import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { addressKey, sourceKey } from './source-address.js';

function requestFrom(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  return { socket: { remoteAddress }, headers: forwardedFor !== undefined ? { 'x-forwarded-for': forwardedFor } : {} } as unknown as IncomingMessage;
}

describe('sourceKey', () => {
  it('keys IPv4 by address, IPv4-mapped IPv6 as IPv4, and IPv6 by /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe(addressKey('2001:0db8:0001:0002:ffff::1'));
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('uses X-Forwarded-For only behind a trusted proxy, and then its last address', () => {
    const req = requestFrom('10.0.0.1', '198.51.100.1, 203.0.113.7');
    expect(sourceKey(req, false)).toBe('10.0.0.1');
    expect(sourceKey(req, true)).toBe('203.0.113.7');
    expect(sourceKey(requestFrom('10.0.0.1'), true)).toBe('10.0.0.1');
  });
});
