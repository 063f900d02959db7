import { afterEach, describe, expect, it } from 'vitest';
import { Resources, startServer } from './helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const SHOP = 'http://shop.example';

describe('CORS on the HTTP routes', () => {
  it('answers an allowed origin as the socket does: the model and a token readable from the shop’s page', async () => {
    const server = await startServer(resources, { corsOrigins: [SHOP] });
    const base = server.address!.url;

    const model = await fetch(`${base}/model`, { headers: { origin: SHOP } });
    expect(model.status).toBe(200);
    expect(model.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(model.headers.get('access-control-expose-headers')).toMatch(/x-fedrec-model-version/);
    expect(model.headers.get('vary')).toBe('Origin');

    const enrol = await fetch(`${base}/enrol`, { method: 'POST', headers: { origin: SHOP } });
    expect(enrol.status).toBe(200);
    expect(enrol.headers.get('access-control-allow-origin')).toBe(SHOP);

    // The preflight a browser sends before POST /enrol with an enrolment key.
    const preflight = await fetch(`${base}/enrol`, { method: 'OPTIONS', headers: { origin: SHOP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);

    // Errors carry the headers too, so the page can read why.
    const missing = await fetch(`${base}/catalogue`, { headers: { origin: SHOP } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(SHOP);
  });

  it('gives another origin, or a server without corsOrigins, no CORS headers and no preflight', async () => {
    const server = await startServer(resources, { corsOrigins: [SHOP] });
    const other = await fetch(`${server.address!.url}/model`, { headers: { origin: 'http://elsewhere.example' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.address!.url}/enrol`, { method: 'OPTIONS', headers: { origin: 'http://elsewhere.example' } });
    expect(preflight.status).toBe(405);

    const closed = await startServer(resources);
    const response = await fetch(`${closed.address!.url}/model`, { headers: { origin: SHOP } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
