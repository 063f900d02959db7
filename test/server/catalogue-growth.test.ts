import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createMemoryStore, type ShopperClient, type ShopperClientEvents } from '@fedrec/client';
import { createFileStore } from '@fedrec/client/node';
import { decodeModel } from '@fedrec/core';
import { buildCatalogue, catalogueToJson, type CatalogueEntry } from '@fedrec/core/catalogue';
import { createServer, type FedRecServer, type FedRecServerOptions } from '@fedrec/server';
import { Resources, nextServerEvent } from './helpers.js';

/*
 * Issue 16, point 1: the catalogue grows without a reset. A server with N
 * products trains with real shopper clients; it is stopped and restarted on
 * the same model directory with M more products (and one retired). The model
 * grows (new version, privacy ledger carried on), a client that kept the old
 * model and a new client both go on training and recommending by product id,
 * the new products are recommended where relevant, the retired one never is.
 * Real server on 127.0.0.1, real clients (TensorFlow.js on the CPU).
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const resources = new Resources();
afterEach(() => resources.cleanup());

// Recent, so that the default 90-day retention keeps them.
const T = Date.now() - 3_600_000;

/** Product i: brand b(i mod 3), category c(⌊i/4⌋), 12 of them. */
const ORIGINAL: CatalogueEntry[] = Array.from({ length: 12 }, (_, i) => ({ id: `sku-${i}`, attributes: [`brand:b${i % 3}`, `category:c${Math.floor(i / 4)}`] }));
/** The next day's catalogue: sku-2 retired, three new products appended (two of brand b1, one of a new brand). */
const GROWN: CatalogueEntry[] = [
  ...ORIGINAL.map((entry) => (entry.id === 'sku-2' ? { ...entry, retired: true } : entry)),
  { id: 'new-b1-c0', attributes: ['brand:b1', 'category:c0'] },
  { id: 'new-b1-c2', attributes: ['brand:b1', 'category:c2'] },
  { id: 'new-b9', attributes: ['brand:b9'] },
];
const DIM = 3;

function serverOptions(modelDir: string, catalogueFile: string, numItems: number, port: number): FedRecServerOptions {
  return {
    host: '127.0.0.1',
    port,
    modelDir,
    catalogueFile,
    model: { numItems, dim: DIM, seed: 'growth' },
    rounds: { minClients: 2, sampling: { kind: 'poisson', rate: 1 }, timeoutMs: 20_000, cooldownMs: 0 },
    privacy: { targetEpsilon: 1_000, delta: 1e-5, clipNorm: 0.5, noiseMultiplier: 1, placement: 'local' },
  };
}

async function start(options: FedRecServerOptions): Promise<FedRecServer> {
  const server = createServer(options);
  resources.add(() => server.close());
  await server.listen();
  return server;
}

async function catalogueFile(dir: string, name: string, entries: CatalogueEntry[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(catalogueToJson(buildCatalogue(entries))));
  return path;
}

async function shopper(serverUrl: string, consent: 'local' | 'contribute', storage = createMemoryStore()): Promise<ShopperClient> {
  const client = await createClient({ serverUrl, storage, consent, personalBudget: { epsilon: 10_000 } });
  // Background failures while the server restarts (reconnecting, refreshing) are expected and never fatal.
  client.on('error', () => {});
  resources.add(() => client.close());
  return client;
}

function nextShopperEvent<K extends keyof ShopperClientEvents>(client: ShopperClient, event: K, match: (payload: ShopperClientEvents[K]) => boolean): Promise<ShopperClientEvents[K]> {
  return new Promise((resolve) => {
    const listener = (payload: ShopperClientEvents[K]): void => {
      if (!match(payload)) return;
      client.off(event, listener);
      resolve(payload);
    };
    client.on(event, listener);
  });
}

const ids = (list: { items: readonly { productId: string | null }[] }): (string | null)[] => list.items.map((r) => r.productId);

describe('a catalogue that grows without a reset', () => {
  it('grows the model on restart; old and new clients train and recommend on; new products are recommended, the retired one never', async () => {
    const dir = await resources.tempDir('fedrec-growth-');
    const modelDir = join(dir, 'model');
    const first = await start(serverOptions(modelDir, await catalogueFile(dir, 'day-1.json', ORIGINAL), ORIGINAL.length, 0));
    const url = first.address!.url;
    const port = Number(new URL(url).port);

    // Day 1: two contributing shoppers, their events by product id.
    const oldClient = await shopper(url, 'contribute', createFileStore(join(dir, 'old-shopper.json')));
    const other = await shopper(url, 'contribute');
    for (const [i, id] of ['sku-1', 'sku-4', 'sku-7'].entries()) await oldClient.track({ item: id, type: 'purchase', time: T + i });
    for (const [i, id] of ['sku-0', 'sku-3', 'sku-6'].entries()) await other.track({ item: id, type: 'purchase', time: T + i });
    const oldModelUpdated = nextShopperEvent(oldClient, 'modelUpdated', (e) => e.modelVersion >= 1);
    await nextServerEvent(first, 'roundClosed', (info) => info.outcome === 'applied' && info.accepted === 2);
    await oldModelUpdated;
    const before = await oldClient.recommend(20);
    expect(before).toMatchObject({ source: 'model', modelVersion: expect.any(Number) as number });
    expect(ids(before).every((id) => id !== null && ORIGINAL.some((e) => e.id === id))).toBe(true);
    // The old client steps out of rounds (it keeps its model in memory and recommends at `local`) while the shop restarts.
    await oldClient.setConsent('local');
    const oldVersion = oldClient.modelVersion!;
    await first.close();
    const versionBefore = first.status().model.version;
    const epsilonBefore = first.status().privacy!.epsilonSpent;
    expect(epsilonBefore).toBeGreaterThan(0);
    expect(oldVersion).toBeLessThanOrEqual(versionBefore);
    await other.close();

    // Day 2: the same model directory, three products more, one retired; on the same address, so the old client reconnects.
    const grownCatalogue = buildCatalogue(GROWN);
    const second = await start(serverOptions(modelDir, await catalogueFile(dir, 'day-2.json', GROWN), GROWN.length, port));
    const status = second.status();
    expect(status.model).toMatchObject({ numItems: GROWN.length, dim: DIM });
    // Grown rows are new bytes: a new version, past every one served before; the ε spent carries on.
    expect(status.model.version).toBe(versionBefore + 1);
    expect(status.privacy!.epsilonSpent).toBe(epsilonBefore);
    const served = await fetch(new URL('/model', url));
    expect(served.headers.get('x-fedrec-catalogue-version')).toBe(grownCatalogue.version);
    const grownModel = decodeModel(new Uint8Array(await served.arrayBuffer()));
    expect(grownModel.shape.numItems).toBe(GROWN.length);

    // The old client still holds the day-1 model (12 rows) and recommends with it.
    expect((await oldClient.recommend(20)).modelVersion).toBe(oldVersion);
    // A product it has never heard of: the client asks for the catalogue again, and stores the event by the new row.
    expect(await oldClient.track({ item: 'new-b1-c0', type: 'purchase', time: T + 10 })).toBe(true);
    expect(oldClient.catalogueVersion).toBe(grownCatalogue.version);
    const withNew = await oldClient.recommend(GROWN.length, { excludePurchased: false });
    expect(withNew).toMatchObject({ source: 'history', modelVersion: oldVersion });
    expect(ids(withNew)).toContain('new-b1-c2');
    expect(ids(withNew)).not.toContain('sku-2');
    // Before any model has its row, a new product's similar items come from its attributes.
    const coldSimilar = await oldClient.similarItems('new-b1-c2', { count: 20 });
    expect(coldSimilar.source).toBe('catalogue');
    expect(ids(coldSimilar)).not.toContain('new-b1-c2');
    expect(ids(coldSimilar)).not.toContain('sku-2');
    expect(ids(coldSimilar)[0]).toBe('sku-10'); // brand b1 and category c2, as the new product
    expect(ids(coldSimilar)).toContain('new-b1-c0'); // brand b1 only
    expect(ids(coldSimilar)).not.toContain('new-b9'); // shares nothing

    // A new client and the old one train together on the grown model: the old client takes the round's model.
    await oldClient.setConsent('contribute');
    const newClient = await shopper(url, 'contribute');
    for (const [i, id] of ['new-b1-c2', 'sku-10', 'new-b9'].entries()) await newClient.track({ item: id, type: 'purchase', time: T + i });
    const oldGrown = nextShopperEvent(oldClient, 'modelUpdated', (e) => e.modelVersion > status.model.version);
    await nextServerEvent(second, 'roundClosed', (info) => info.outcome === 'applied' && info.accepted === 2);
    await oldGrown;
    expect(second.status().privacy!.epsilonSpent).toBeGreaterThan(epsilonBefore);
    expect(second.status().model.version).toBeGreaterThan(status.model.version);

    for (const client of [oldClient, newClient]) {
      const list = await client.recommend(GROWN.length, { excludePurchased: false });
      expect(list.source).toBe('model');
      expect(list.catalogueVersion).toBe(grownCatalogue.version);
      // Every product but the retired one can be recommended, the new ones included.
      expect(new Set(ids(list))).toEqual(new Set(GROWN.filter((e) => e.retired !== true).map((e) => e.id)));
      expect(list.items.every((r) => r.productId === GROWN[r.item]!.id)).toBe(true);
    }
    // The model now has the new products' rows: similar items by their vectors, never the retired one.
    const warmSimilar = await newClient.similarItems('new-b1-c0', { count: GROWN.length });
    expect(warmSimilar.source).toBe('model');
    expect(ids(warmSimilar)).toHaveLength(GROWN.length - 2);
    expect(ids(warmSimilar)).not.toContain('sku-2');

    // Filters: out of stock, a shelf of candidates, a category.
    const excluded = await newClient.recommend(GROWN.length, { exclude: ['sku-0', 'sku-1', 'not-a-product'] });
    expect(ids(excluded)).not.toContain('sku-0');
    expect(ids(excluded)).not.toContain('sku-1');
    const shelf = await newClient.recommend(10, { candidates: new Set(['sku-5', 'sku-2', 'new-b1-c0', 'not-a-product']) });
    expect(new Set(ids(shelf))).toEqual(new Set(['sku-5', 'new-b1-c0'])); // the retired one stays out
    const lips = await newClient.recommend(10, { attribute: 'category:c0' });
    expect(new Set(ids(lips))).toEqual(new Set(['sku-0', 'sku-1', 'sku-3', 'new-b1-c0'])); // sku-2 is retired
    expect((await newClient.recommend(10, { attribute: 'category:none' })).items).toEqual([]);
    // An id no catalogue lists, even after asking again: a clear error, nothing stored.
    const stored = (await newClient.transparency()).stored.events;
    await expect(newClient.track({ item: 'not-a-product', type: 'view' })).rejects.toThrow(/unknown product id "not-a-product": the shop's catalogue \(version [0-9a-f]{16}\) does not list it/);
    await expect(newClient.similarItems('not-a-product')).rejects.toThrow(RangeError);
    expect((await newClient.transparency()).stored.events).toBe(stored);
  });

  it('at consent local, a new product sharing the shopper’s recent attributes is recommended before the model has its row', async () => {
    const dir = await resources.tempDir('fedrec-growth-');
    const modelDir = join(dir, 'model');
    const first = await start(serverOptions(modelDir, await catalogueFile(dir, 'day-1.json', ORIGINAL), ORIGINAL.length, 0));
    const port = Number(new URL(first.address!.url).port);
    const local = await shopper(first.address!.url, 'local');
    for (const [i, id] of ['sku-4', 'sku-7', 'sku-1'].entries()) await local.track({ item: id, type: 'view', time: T + i });
    expect(ids(await local.recommend(20))).toHaveLength(ORIGINAL.length);
    await first.close();

    await start(serverOptions(modelDir, await catalogueFile(dir, 'day-2.json', GROWN), GROWN.length, port));
    // Still the day-1 model (12 rows): the products after it are ranked by the history scorer, from the catalogue asked for again.
    await local.refreshCatalogue();
    const list = await local.recommend(GROWN.length);
    expect(list).toMatchObject({ source: 'history', catalogueVersion: buildCatalogue(GROWN).version });
    const rank = (id: string): number => ids(list).indexOf(id);
    expect(rank('new-b1-c0')).toBeGreaterThanOrEqual(0);
    // Brand b1 (what the shopper viewed) before a brand nobody viewed.
    expect(rank('new-b1-c0')).toBeLessThan(rank('new-b9'));
    expect(ids(list)).not.toContain('sku-2');
  });

  it('refuses to start on a catalogue that drops or reorders products, naming the first one, and loses nothing', async () => {
    const dir = await resources.tempDir('fedrec-growth-');
    const modelDir = join(dir, 'model');
    const first = await start(serverOptions(modelDir, await catalogueFile(dir, 'day-1.json', ORIGINAL), ORIGINAL.length, 0));
    const version = first.status().model.version;
    await first.close();

    const failure = async (entries: CatalogueEntry[]): Promise<{ code: string; message: string }> => {
      const server = createServer(serverOptions(modelDir, await catalogueFile(dir, 'bad.json', entries), entries.length, 0));
      return server.listen().then(
        () => ({ code: 'started', message: '' }),
        (error: unknown) => error as { code: string; message: string },
      );
    };
    const dropped = await failure(ORIGINAL.filter((e) => e.id !== 'sku-11'));
    expect(dropped.code).toBe('INVALID_CATALOGUE');
    expect(dropped.message).toMatch(/product "sku-11" \(row 11\) is missing: keep it and mark it "retired"/);
    const swapped = await failure([ORIGINAL[1]!, ORIGINAL[0]!, ...ORIGINAL.slice(2)]);
    expect(swapped.message).toMatch(/row 0 is product "sku-0" in the model but "sku-1" in the catalogue/);
    // A cluster node does not grow the model (each node would checkpoint outside the coordinator's fenced
    // writes): refused before it reaches Redis, with the single-server step to take instead.
    const cluster = createServer({
      ...serverOptions(modelDir, await catalogueFile(dir, 'day-2.json', GROWN), GROWN.length, 0),
      auth: { tokenSecret: 'growth-test-secret-growth-test-secret' },
      cluster: { url: 'redis://127.0.0.1:1' },
    });
    const refused = await cluster.listen().then(
      () => ({ code: 'started', message: '' }),
      (error: unknown) => error as { code: string; message: string },
    );
    expect(refused.code).toBe('INVALID_CATALOGUE');
    expect(refused.message).toMatch(/adds 3 products .* a cluster node does not grow the model; stop the cluster, start one `fedrec server` without --cluster/);
    // The refusals changed nothing: the day-1 catalogue starts the same model.
    const again = await start(serverOptions(modelDir, await catalogueFile(dir, 'day-1.json', ORIGINAL), ORIGINAL.length, 0));
    expect(again.status().model.version).toBe(version);
  });
});
