import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ShopperClient } from '@fedrec/client';
import { createFileStore } from '@fedrec/client/node';
import { createSharedModel } from '@fedrec/core';
import { buildCatalogue, catalogueToJson } from '@fedrec/core/catalogue';
import type { FedRecServer } from '@fedrec/server';
import { Resources, SMALL_SHAPE, startServer } from './helpers.js';

/*
 * Issue 15, points 1–2, client side: a shopper client fetches the shop's
 * public catalogue from a real server (`GET /catalogue`), revalidates the
 * copy it stored by version (304), falls back to it offline, and at consent
 * `local` recommends from the shopper's own history against it — no round,
 * no ε. Real server on 127.0.0.1, real file store.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const resources = new Resources();
afterEach(() => resources.cleanup());

// Recent, so that the default 90-day retention keeps them.
const T = Date.now() - 3_600_000;

/** Item i: brand b(i mod 4), category c(⌊i/5⌋). */
const catalogue = buildCatalogue(
  Array.from({ length: SMALL_SHAPE.numItems }, (_, i) => ({ id: `sku-${i}`, attributes: [`brand:b${i % 4}`, `category:c${Math.floor(i / 5)}`], numeric: { price: 5 + i } })),
);

async function catalogueServer(): Promise<FedRecServer> {
  const path = join(await resources.tempDir('fedrec-catalogue-'), 'catalogue.json');
  await writeFile(path, JSON.stringify(catalogueToJson(catalogue)));
  return startServer(resources, { catalogueFile: path });
}

/** The status of every `GET /catalogue` the client makes: the real fetch, observed. */
function observedFetch(statuses: number[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (String(input).endsWith('/catalogue')) statuses.push(response.status);
    return response;
  };
}

async function visit(file: string, serverUrl: string, options: { consent?: 'off' | 'local'; statuses?: number[] } = {}): Promise<ShopperClient> {
  const shopper = await createClient({
    serverUrl,
    storage: createFileStore(file),
    consent: options.consent ?? 'local',
    ...(options.statuses !== undefined ? { fetch: observedFetch(options.statuses) } : {}),
  });
  resources.add(() => shopper.close());
  return shopper;
}

interface StoredFile {
  events: unknown[];
  records: { consent?: string; model?: unknown; catalogue?: { items: { attributes: unknown[] }[] } };
}

async function stored(file: string): Promise<StoredFile> {
  return JSON.parse(await readFile(file, 'utf8')) as StoredFile;
}

/** A first visit at `local` while the server is up: history of brand b1 (items 1, 5, 9); returns the server's URL, now closed. */
async function firstVisitThenServerDown(file: string): Promise<string> {
  const server = await catalogueServer();
  const url = server.address!.url;
  const shopper = await createClient({ serverUrl: url, storage: createFileStore(file), consent: 'off' });
  await shopper.setConsent('local');
  for (const item of [1, 5, 9]) await shopper.track({ item, type: 'view', time: T + item });
  expect(await shopper.recommend(3)).toMatchObject({ source: 'history', catalogueVersion: catalogue.version });
  await shopper.close();
  await server.close();
  return url;
}

const rankOf = (items: readonly { item: number }[], item: number): number => items.findIndex((r) => r.item === item);

describe('a shopper client and the shop’s catalogue', () => {
  it('fetches it, stores it, and on the next visit revalidates it by version (304, nothing downloaded again)', async () => {
    const server = await catalogueServer();
    const file = join(await resources.tempDir('fedrec-shopper-'), 'shopper.json');
    const statuses: number[] = [];
    const first = await visit(file, server.address!.url, { statuses });
    await first.recommend(3);
    expect(statuses).toEqual([200]);
    expect(first.catalogueVersion).toBe(catalogue.version);
    await first.transparency(); // queued behind the write the recommendation caused
    expect((await stored(file)).records.catalogue).toEqual(catalogueToJson(catalogue));
    await first.close();

    const second = await visit(file, server.address!.url, { statuses });
    expect(await second.recommend(3)).toMatchObject({ catalogueVersion: catalogue.version });
    expect(statuses).toEqual([200, 304]);
    expect(await second.refreshCatalogue()).toEqual(catalogue);
    expect(statuses).toEqual([200, 304, 304]);
  });

  it('at consent local, ranks an item sharing the shopper’s recent attributes above one that does not, with no round ever run', async () => {
    const server = await catalogueServer();
    const file = join(await resources.tempDir('fedrec-shopper-'), 'shopper.json');
    const shopper = await visit(file, server.address!.url);
    // Brand b1 in three categories, most recently category c1.
    for (const item of [1, 5, 9]) await shopper.track({ item, type: 'view', time: T + item });
    const list = await shopper.recommend(SMALL_SHAPE.numItems);
    expect(list).toMatchObject({ source: 'history', personalised: true, modelVersion: 0, catalogueVersion: catalogue.version });
    expect(server.status().model.version).toBe(0);
    expect(server.status().rounds.applied).toBe(0);
    // 13 is brand b1 (category c2); 18 is brand b2, category c3: nothing the shopper looked at.
    expect(rankOf(list.items, 13)).toBeLessThan(rankOf(list.items, 18));
    // Everything sharing an attribute with the history comes before everything sharing none.
    const shares = (item: number): boolean => item % 4 === 1 || Math.floor(item / 5) <= 1;
    const firstStranger = list.items.findIndex((r) => !shares(r.item));
    expect(list.items.slice(firstStranger).every((r) => !shares(r.item))).toBe(true);
  });

  it('a server without a catalogue (404) leaves recommendations as they were: the model, fitted on the device', async () => {
    const server = await startServer(resources);
    const file = join(await resources.tempDir('fedrec-shopper-'), 'shopper.json');
    const statuses: number[] = [];
    const shopper = await visit(file, server.address!.url, { statuses });
    for (const item of [1, 5, 9]) await shopper.track({ item, type: 'view', time: T + item });
    expect(await shopper.recommend(3)).toMatchObject({ source: 'model', personalised: true, catalogueVersion: null });
    expect(statuses).toEqual([404]);
    expect(shopper.catalogueVersion).toBeNull();
    await shopper.transparency();
    expect((await stored(file)).records.catalogue).toBeUndefined();
  });

  it('offline, recommends from the stored catalogue; with no model either, from the history alone', async () => {
    const file = join(await resources.tempDir('fedrec-shopper-'), 'shopper.json');
    const url = await firstVisitThenServerDown(file);
    const shopper = await visit(file, url);
    const list = await shopper.recommend(SMALL_SHAPE.numItems);
    expect(list).toMatchObject({ source: 'history', modelVersion: 0, catalogueVersion: catalogue.version });
    expect(rankOf(list.items, 13)).toBeLessThan(rankOf(list.items, 18));
    await shopper.close();

    // No model stored and none to be had: the catalogue and the history still recommend.
    const contents = await stored(file);
    delete contents.records.model;
    await writeFile(file, JSON.stringify(contents));
    const noModel = await visit(file, url);
    const fromHistory = await noModel.recommend(SMALL_SHAPE.numItems);
    expect(fromHistory).toMatchObject({ source: 'history', personalised: true, modelVersion: null, catalogueVersion: catalogue.version });
    expect(rankOf(fromHistory.items, 13)).toBeLessThan(rankOf(fromHistory.items, 18));
  });

  it('a corrupt stored catalogue, offline, gives CATALOGUE_UNAVAILABLE naming the bad field, loses nothing else, and is replaced once the server answers', async () => {
    const file = join(await resources.tempDir('fedrec-shopper-'), 'shopper.json');
    const url = await firstVisitThenServerDown(file);
    const contents = await stored(file);
    contents.records.catalogue!.items[2]!.attributes[0] = 7;
    await writeFile(file, JSON.stringify(contents));

    const shopper = await visit(file, url);
    const error = await shopper.recommend(3).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CATALOGUE_UNAVAILABLE', path: 'catalogue.items.2.attributes.0' });
    expect((error as Error).message).toMatch(/GET \/catalogue failed.*the stored catalogue is unusable \(items\.2\.attributes\.0: /);
    // The history, the consent and the stored model are untouched, and the client works on.
    expect(shopper.consent).toBe('local');
    expect((await shopper.transparency()).stored.events).toBe(3);
    expect(await shopper.track({ item: 13, type: 'cart', time: T + 20 })).toBe(true);
    const reread = await stored(file);
    expect(reread.events).toHaveLength(4);
    expect(reread.records).toMatchObject({ consent: { level: 'local' }, model: contents.records.model });
    await shopper.close();

    // The server back (same catalogue, a fresh port): the bad copy is replaced, not offered for revalidation.
    const server = await catalogueServer();
    const statuses: number[] = [];
    const back = await visit(file, server.address!.url, { statuses });
    expect(await back.recommend(3)).toMatchObject({ source: 'history', catalogueVersion: catalogue.version });
    expect(statuses).toEqual([200]);
    await back.transparency();
    expect((await stored(file)).records.catalogue).toEqual(catalogueToJson(catalogue));
  });

  it('forget() deletes the stored catalogue with everything else', async () => {
    const file = join(await resources.tempDir('fedrec-shopper-'), 'shopper.json');
    const url = await firstVisitThenServerDown(file);
    expect((await stored(file)).records.catalogue).toBeDefined();
    const shopper = await visit(file, url);
    await shopper.forget();
    expect((await stored(file)).records).toEqual({});
  });

  it('stores nothing, the catalogue included, while consent is off; stores it once the shopper opts in', async () => {
    const server = await catalogueServer();
    const file = join(await resources.tempDir('fedrec-shopper-'), 'shopper.json');
    const shopper = await visit(file, server.address!.url, { consent: 'off' });
    expect(await shopper.refreshCatalogue()).toEqual(catalogue);
    expect(await shopper.recommend(3)).toMatchObject({ source: 'popularity', personalised: false });
    await shopper.transparency();
    await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });

    await shopper.setConsent('local');
    await shopper.transparency();
    expect((await stored(file)).records.catalogue).toEqual(catalogueToJson(catalogue));
  });

  it('when the model and the catalogue differ in size, every product either knows of is ranked', async () => {
    const server = await catalogueServer();
    const dir = await resources.tempDir('fedrec-shopper-');
    // A newer model shipped with the page, 4 rows more than the catalogue: rows 20–23 have no attributes.
    const larger = { ...createSharedModel({ numItems: SMALL_SHAPE.numItems + 4, dim: SMALL_SHAPE.dim }, { seed: 'larger' }), version: 5 };
    const wide = await createClient({ serverUrl: server.address!.url, storage: createFileStore(join(dir, 'a.json')), consent: 'local', model: larger });
    resources.add(() => wide.close());
    for (const item of [1, 5, 9]) await wide.track({ item, type: 'view', time: T + item });
    const all = await wide.recommend(100);
    expect(all).toMatchObject({ source: 'history', modelVersion: 5 });
    expect(all.items.map((r) => r.item).sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(rankOf(all.items, 13)).toBeLessThan(rankOf(all.items, 22));

    // 4 rows fewer: catalogue items 16–19 are products added after this model (rows are append-only), ranked by the history scorer until a model has them.
    const smaller = { ...createSharedModel({ numItems: SMALL_SHAPE.numItems - 4, dim: SMALL_SHAPE.dim }, { seed: 'smaller' }), version: 5 };
    const narrow = await createClient({ serverUrl: server.address!.url, storage: createFileStore(join(dir, 'b.json')), consent: 'local', model: smaller });
    resources.add(() => narrow.close());
    for (const item of [1, 5, 9]) await narrow.track({ item, type: 'view', time: T + item });
    const some = await narrow.recommend(100);
    expect(some).toMatchObject({ source: 'history', modelVersion: 5 });
    expect(some.items.map((r) => r.item).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(some.items.find((r) => r.item === 17)?.productId).toBe('sku-17');
    expect(await narrow.track({ item: 17, type: 'view' })).toBe(true);
    await expect(narrow.track({ item: 20, type: 'view' })).rejects.toThrow(RangeError);
  });
});
