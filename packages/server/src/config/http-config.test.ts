import { describe, expect, it } from 'vitest';
import { parseServerConfig } from './server-config.js';

describe('server config: the HTTP edge and shutdown', () => {
  it('fills in the defaults', () => {
    const result = parseServerConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.http).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      maxConnections: 10_000,
      trustProxy: false,
      rateLimits: {
        enrol: { burst: 20, perMinute: 60 },
        enrolKeyFailures: { burst: 5, perMinute: 1 },
        handshake: { burst: 100, perMinute: 600 },
      },
    });
    expect(result.config.shutdownTimeoutMs).toBe(10_000);
    expect(result.config.limits.maxBufferedBytes).toBeUndefined(); // derived from the model's size
  });

  it('takes false to turn a rate limit off, and keeps the other defaults', () => {
    const result = parseServerConfig({ http: { rateLimits: { handshake: false } } });
    expect(result.ok && result.config.http.rateLimits).toEqual({ enrol: { burst: 20, perMinute: 60 }, enrolKeyFailures: { burst: 5, perMinute: 1 }, handshake: false });
  });

  it('reports each bad field once, on its own path', () => {
    const result = parseServerConfig({
      http: { headersTimeoutMs: 20_000, requestTimeoutMs: 5_000, maxConnections: 0, rateLimits: { enrol: { burst: 0, perMinute: 1 }, handshake: 'lots' } },
      limits: { maxBufferedBytes: -1 },
      shutdownTimeoutMs: 0,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => issue.path).sort()).toEqual([
      'http.maxConnections',
      'http.rateLimits.enrol.burst',
      'http.rateLimits.handshake',
      'limits.maxBufferedBytes',
      'shutdownTimeoutMs',
    ]);
    expect(result.issues.find((issue) => issue.path === 'http.rateLimits.handshake')?.message).toBe('expected {"burst": n >= 1, "perMinute": r > 0} or false');
  });

  it('refuses header timeouts longer than the request timeout', () => {
    const result = parseServerConfig({ http: { headersTimeoutMs: 20_000, requestTimeoutMs: 5_000 } });
    expect(!result.ok && result.issues).toEqual([{ path: 'http.headersTimeoutMs', message: expect.stringMatching(/^must be <= http.requestTimeoutMs \(5000\)/) }]);
  });
});
