import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCatalogue, catalogueToJson, parseCatalogueJson } from '@fedrec/core/catalogue';
import { ServerError, createServer } from '@fedrec/server';
import { Resources, SMALL_SHAPE, startServer } from './helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const catalogue = buildCatalogue(
  Array.from({ length: SMALL_SHAPE.numItems }, (_, i) => ({ id: `sku-${i}`, attributes: [`brand:${i % 3}`, `category:${i % 4}`], numeric: { price: 5 + i } })),
);

async function catalogueFile(contents: unknown): Promise<string> {
  const path = join(await resources.tempDir('fedrec-catalogue-'), 'catalogue.json');
  await writeFile(path, typeof contents === 'string' ? contents : JSON.stringify(contents));
  return path;
}

async function startFailure(catalogueFilePath: string): Promise<ServerError> {
  const server = createServer({ host: '127.0.0.1', port: 0, model: { ...SMALL_SHAPE, seed: 'test' }, catalogueFile: catalogueFilePath });
  resources.add(() => server.close());
  const error = await server.listen().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServerError);
  return error as ServerError;
}

describe('GET /catalogue', () => {
  it('serves the catalogue it was started with, versioned by content, and 304 to a client that has it', async () => {
    const server = await startServer(resources, { catalogueFile: await catalogueFile(catalogueToJson(catalogue)) });
    const url = `${server.address!.url}/catalogue`;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(`"${catalogue.version}"`);
    expect(response.headers.get('cache-control')).toBe('public, no-cache');
    expect(parseCatalogueJson(await response.text())).toEqual(catalogue);

    const revalidated = await fetch(url, { headers: { 'if-none-match': `"0000000000000000", "${catalogue.version}"` } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect((await fetch(url, { headers: { 'if-none-match': '"0000000000000000"' } })).status).toBe(200);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
  });

  it('is 404 NO_CATALOGUE on a server without one', async () => {
    const server = await startServer(resources);
    const response = await fetch(`${server.address!.url}/catalogue`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'NO_CATALOGUE' });
  });

  it('refuses to start on a catalogue that is missing, garbled, edited after its version, or for another model', async () => {
    const missing = await startFailure(join(await resources.tempDir('fedrec-none-'), 'nope.json'));
    expect(missing.code).toBe('INVALID_CATALOGUE');
    expect(missing.message).toMatch(/cannot read the catalogue file .*nope\.json \(ENOENT\)/);

    const json = catalogueToJson(catalogue);
    const garbled = await startFailure(await catalogueFile({ ...json, items: [{ ...json.items[0], attributes: [3] }, ...json.items.slice(1)] }));
    expect(garbled.message).toMatch(/catalogue\.json: catalogue field items\.0\.attributes\.0/);
    expect(garbled.issues[0]?.path).toBe('items.0.attributes.0');

    const edited = await startFailure(await catalogueFile({ ...json, items: [{ ...json.items[0], attributes: ['brand:other'] }, ...json.items.slice(1)] }));
    expect(edited.message).toMatch(/field version: does not match the contents/);

    const other = buildCatalogue([{ id: 'a', attributes: [] }]);
    const mismatch = await startFailure(await catalogueFile(catalogueToJson(other)));
    expect(mismatch.message).toMatch(/lists 1 products, but model.numItems is 20/);
  });
});
