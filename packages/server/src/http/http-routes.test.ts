import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModel } from '@fedrec/core/format';
import { enrolResponseSchema, privacyNoticeSchema } from '@fedrec/core/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyToken } from '../auth/token.js';
import { resolveServerConfig } from '../config/server-config.js';
import { createServer, type FedRecServer, type FedRecServerOptions } from '../create-server.js';
import { privacyNoticeFor } from '../privacy/privacy-notice.js';
import { ServerError } from '../server-error.js';
import type { PublicStatus, ServerStatus } from '../status/server-status.js';
import { MODEL_VERSION_HEADER } from './http-routes.js';

const started: FedRecServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of started.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function start(options: Partial<FedRecServerOptions> = {}): Promise<{ server: FedRecServer; url: string }> {
  const server = createServer({ host: '127.0.0.1', port: 0, model: { numItems: 4, dim: 2, seed: 'http' }, ...options });
  started.push(server);
  const { url } = await server.listen();
  return { server, url };
}

describe('HTTP routes', () => {
  it('GET /status without a key shows only round-level figures', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const status = (await response.json()) as PublicStatus;
    expect(status).toEqual({
      protocolVersion: 1,
      state: 'running',
      model: { version: 0, numItems: 4, dim: 2 },
      rounds: { applied: 0, abandoned: 0, lastClosed: null },
      releasing: true,
      privacy: null,
    });
  });

  it('GET /status with the operator key reports counters, clients and timings; a wrong key is refused', async () => {
    const operatorKey = 'an-operator-key-0123';
    const { url } = await start({ auth: { operatorKey } });
    const response = await fetch(`${url}/status`, { headers: { authorization: `Bearer ${operatorKey}` } });
    expect(response.status).toBe(200);
    const status = (await response.json()) as ServerStatus;
    expect(status).toMatchObject({
      protocolVersion: 1,
      state: 'running',
      model: { version: 0, numItems: 4, dim: 2, floats: 12 },
      clients: { connected: 0, eligible: 0 },
      updates: { accepted: 0, rejectedTotal: 0 },
      round: { current: null, next: 1 },
    });
    expect(status.updates.rejected).toHaveProperty('NOT_IN_COHORT', 0);
    expect(typeof status.timings.uptimeMs).toBe('number');
    const wrong = await fetch(`${url}/status`, { headers: { authorization: 'Bearer not-the-operator-key' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'BAD_OPERATOR_KEY' });
    const { url: keyless } = await start();
    expect((await fetch(`${keyless}/status`, { headers: { authorization: `Bearer ${operatorKey}` } })).status).toBe(401);
  });

  it('GET /model serves the binary model with its version in a header', async () => {
    const { url, server } = await start();
    const response = await fetch(`${url}/model`);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get(MODEL_VERSION_HEADER)).toBe('0');
    const model = decodeModel(new Uint8Array(await response.arrayBuffer()));
    expect(Array.from(model.values)).toEqual(Array.from(server.model().values));
  });

  it('POST /enrol issues a token for a fresh client id when enrolment is open', async () => {
    const { url, server } = await start({ auth: { tokenSecret: 's'.repeat(40) } });
    const body = enrolResponseSchema.parse(await (await fetch(`${url}/enrol`, { method: 'POST' })).json());
    const verified = verifyToken('s'.repeat(40), body.token);
    expect(verified).toMatchObject({ ok: true, clientId: body.clientId });
    expect(server.issueToken().clientId).not.toBe(body.clientId);
  });

  it('POST /enrol requires the key when enrolment is keyed, and is absent when off', async () => {
    const keyed = await start({ auth: { enrolment: 'key', enrolmentKey: 'k'.repeat(20) } });
    expect((await fetch(`${keyed.url}/enrol`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${keyed.url}/enrol`, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${keyed.url}/enrol`, { method: 'POST', headers: { authorization: `Bearer ${'k'.repeat(20)}` } });
    expect(ok.status).toBe(200);
    const off = await start({ auth: { enrolment: 'off' } });
    expect((await fetch(`${off.url}/enrol`, { method: 'POST' })).status).toBe(404);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const wrong = await fetch(`${url}/status`, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect((await fetch(`${url}/enrol`)).status).toBe(405);
  });

  it('GET /privacy-notice serves the notice generated from the config, its version as ETag (304 when unchanged), readable cross-origin', async () => {
    const shop = 'http://shop.example';
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-notice-'));
    dirs.push(dir);
    const config = {
      modelDir: dir,
      privacy: { targetEpsilon: 2, delta: 1e-6, clipNorm: 1, noiseMultiplier: 1.1, accountant: 'pld' as const },
      rounds: { sampling: { kind: 'poisson' as const, rate: 0.1 } },
      privacyNotice: { contact: 'privacy@shop.example' },
      corsOrigins: [shop],
    };
    const { url } = await start(config);
    const response = await fetch(`${url}/privacy-notice`, { headers: { origin: shop } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(response.headers.get('access-control-allow-origin')).toBe(shop);
    expect(response.headers.get('access-control-expose-headers')).toMatch(/etag/);
    const notice = privacyNoticeSchema.parse(await response.json());
    expect(notice).toEqual(privacyNoticeFor(resolveServerConfig({ ...config, model: { numItems: 4, dim: 2, seed: 'http' }, host: '127.0.0.1', port: 0 })));
    expect(notice).toMatchObject({
      collected: { rawEvents: false, sent: 'clipped-noised-updates' },
      differentialPrivacy: { epsilon: 2, delta: 1e-6, accountant: 'pld', noiseMultiplier: 1.1, noisePlacement: 'local' },
      cohortSampling: { kind: 'poisson', rate: 0.1 },
      operator: { contact: 'privacy@shop.example' },
    });
    expect(response.headers.get('etag')).toBe(`"${notice.version}"`);
    const unchanged = await fetch(`${url}/privacy-notice`, { headers: { 'if-none-match': `"${notice.version}"` } });
    expect(unchanged.status).toBe(304);
    const stale = await fetch(`${url}/privacy-notice`, { headers: { 'if-none-match': '"0123456789abcdef"' } });
    expect(stale.status).toBe(200);
    await stale.body?.cancel();
    expect((await fetch(`${url}/privacy-notice`, { method: 'POST' })).status).toBe(405);
  });
});

describe('server lifecycle', () => {
  it('refuses to start without a model or checkpoint, and with a conflicting shape', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-life-'));
    dirs.push(dir);
    const bare = createServer({ port: 0, modelDir: dir });
    await expect(bare.listen()).rejects.toMatchObject({ code: 'NO_MODEL' });
    const first = await start({ modelDir: dir });
    await first.server.close();
    const conflicting = createServer({ port: 0, modelDir: dir, model: { numItems: 5, dim: 2 } });
    await expect(conflicting.listen()).rejects.toMatchObject({ code: 'CHECKPOINT_SHAPE_MISMATCH' });
    // Without a model shape it resumes the checkpoint's.
    const resumed = await start({ modelDir: dir, model: undefined });
    expect(resumed.server.status().model).toMatchObject({ numItems: 4, dim: 2, version: 0 });
  });

  it('rejects an invalid config at construction, and listen() twice', async () => {
    expect(() => createServer({ port: -5 })).toThrow(ServerError);
    const { server } = await start();
    await expect(server.listen()).rejects.toMatchObject({ code: 'BAD_LIFECYCLE' });
    await server.close();
    await server.close(); // idempotent
    expect(server.status().state).toBe('closed');
  });
});
