import { isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * The key a request is rate-limited under: its source address, with an
 * IPv4-mapped IPv6 address written as IPv4, and an IPv6 address cut to its
 * /64 (one subscriber usually holds a whole /64, so per-address limits would
 * give it 2^64 buckets).
 *
 * With `trustProxy`, the source is the last address in `X-Forwarded-For`:
 * the one the proxy in front of us appended, which a client cannot forge
 * (addresses before it can be).
 *
 * @example
 * sourceKey(req, false); // '203.0.113.7' or '2001:db8:0:1::/64'
 */
export function sourceKey(req: IncomingMessage, trustProxy: boolean): string {
  let address = req.socket.remoteAddress ?? 'unknown';
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').at(-1)?.trim();
    if (forwarded !== undefined && forwarded.length > 0) address = forwarded;
  }
  return addressKey(address);
}

/** `addressKey('::ffff:10.0.0.1')` is `'10.0.0.1'`; `addressKey('2001:db8::1')` is `'2001:db8:0:0::/64'`. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
