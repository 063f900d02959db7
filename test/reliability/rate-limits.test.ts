import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Resources, startServer } from '../server/helpers.js';
import { nextSocketEvent, rawAuth, rawSocket } from '../server/raw-socket.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const ENROLMENT_KEY = 'the-enrolment-key-0123456789';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * One HTTP request from a chosen local address: all of 127.0.0.0/8 is
 * loopback on Linux, so 127.0.0.2 is a second source for the server.
 */
function send(url: string, path: string, options: { method?: string; bearer?: string; from?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, url),
      {
        method: options.method ?? 'GET',
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
        headers: options.bearer !== undefined ? { authorization: `Bearer ${options.bearer}` } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A bucket that does not refill while a test runs, so that what is allowed does not depend on how fast the machine is. */
const noRefill = (burst: number) => ({ burst, perMinute: 1e-6 });

describe('per-source rate limits', () => {
  // Defaults: 5 wrong keys, then one more try per minute.
  it('locks a source out of POST /enrol after 5 wrong enrolment keys: 429 with Retry-After, even for the right key; other sources are unaffected', async () => {
    const server = await startServer(resources, { auth: { enrolment: 'key', enrolmentKey: ENROLMENT_KEY } });
    const url = server.address!.url;
    const wrong: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) wrong.push((await send(url, '/enrol', { method: 'POST', bearer: `guess-${attempt}` })).status);
    expect(wrong).toEqual([401, 401, 401, 401, 401]);

    const locked = await send(url, '/enrol', { method: 'POST', bearer: 'guess-5' });
    expect(locked.status).toBe(429);
    expect(JSON.parse(locked.body)).toMatchObject({ error: 'LOCKED_OUT' });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Locked out means locked out: the right key from this source is refused too, so guessing learns nothing.
    expect((await send(url, '/enrol', { method: 'POST', bearer: ENROLMENT_KEY })).status).toBe(429);

    const elsewhere = await send(url, '/enrol', { method: 'POST', bearer: ENROLMENT_KEY, from: '127.0.0.2' });
    expect(elsewhere.status).toBe(200);
    expect(JSON.parse(elsewhere.body)).toHaveProperty('token');
    expect(server.status().throttled).toMatchObject({ enrolKeyLockedOut: 2 });
  });

  it('open enrolment: a burst from one source, then 429 with Retry-After', async () => {
    const server = await startServer(resources, { auth: { enrolment: 'open' }, http: { rateLimits: { enrol: noRefill(20) } } });
    const url = server.address!.url;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await send(url, '/enrol', { method: 'POST' })).status);
    expect(statuses.every((status) => status === 200)).toBe(true);

    const limited = await send(url, '/enrol', { method: 'POST' });
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.body)).toMatchObject({ error: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await send(url, '/enrol', { method: 'POST', from: '127.0.0.2' })).status).toBe(200);
    expect(server.status().throttled).toMatchObject({ enrol: 1 });
  });

  it("refuses a source's socket.io handshakes beyond its burst, before any session is made; other sources still connect", async () => {
    const server = await startServer(resources, { http: { rateLimits: { handshake: noRefill(10) } } });
    const url = server.address!.url;
    // engine.io's long-polling handshake: the cheapest way to open a session.
    const handshake = (from?: string): Promise<Reply> => send(url, '/socket.io/?EIO=4&transport=polling', from !== undefined ? { from } : {});
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await handshake()).status);
    expect(statuses.every((status) => status === 200)).toBe(true);

    expect((await handshake()).status).toBe(403);
    // A WebSocket handshake from the same source is refused too, before the token is even looked at.
    const refused = rawSocket(url, rawAuth(server.issueToken({ clientId: 'late' }).token));
    resources.add(() => void refused.disconnect());
    const [error] = await nextSocketEvent(refused, 'connect_error');
    expect(String(error)).toMatch(/websocket error/);
    expect(server.status().clients.connected).toBe(0);

    expect((await handshake('127.0.0.2')).status).toBe(200);
    expect(server.status().throttled.handshake).toBe(2);
  });
});
