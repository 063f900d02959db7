import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ShopperClient, type ShopperClientEvents } from '@fedrec/client';
import { createFileStore } from '@fedrec/client/node';
import { Resources, SMALL_SHAPE, startServer } from './helpers.js';

/*
 * Issue 16, point 2: a returning shopper whose server is unreachable still
 * gets recommendations, from the model the client stored on the device. A
 * real server on 127.0.0.1 hands out the model, is closed, and a new client
 * on the same file store (a new visit) recommends without it.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const resources = new Resources();
afterEach(() => resources.cleanup());

// Recent, so that the default 90-day retention keeps them.
const T = Date.now() - 3_600_000;

async function visit(file: string, serverUrl: string): Promise<ShopperClient> {
  const shopper = await createClient({ serverUrl, storage: createFileStore(file), consent: 'local' });
  resources.add(() => shopper.close());
  return shopper;
}

/** Resolves with the first `event` the shopper client emits; set up before triggering it. */
function nextShopperEvent<K extends keyof ShopperClientEvents>(shopper: ShopperClient, event: K): Promise<ShopperClientEvents[K]> {
  return new Promise((resolve) => shopper.once(event, resolve));
}

/** A first visit while the server is up: the shopper opts in, browses, gets recommendations; returns the server's URL, now closed. */
async function firstVisitThenServerDown(file: string): Promise<string> {
  const server = await startServer(resources);
  const url = server.address!.url;
  const shopper = await createClient({ serverUrl: url, storage: createFileStore(file), consent: 'off' });
  // The model is loaded before the shopper chooses (the banner comes after the page): it must be kept all the same.
  expect((await shopper.recommend(3)).modelVersion).toBe(0);
  await shopper.setConsent('local');
  for (const item of [2, 3, 4]) await shopper.track({ item, type: 'view', time: T + item });
  expect((await shopper.recommend(3)).personalised).toBe(true);
  await shopper.close();
  await server.close();
  return url;
}

describe('a returning shopper with the server unreachable', () => {
  it('recommends from the model stored on the device, and says the server is offline', async () => {
    const file = join(await resources.tempDir('fedrec-offline-'), 'shopper.json');
    const url = await firstVisitThenServerDown(file);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { records: { model?: { version: number; shape: unknown; values: unknown[] } } };
    expect(stored.records.model).toMatchObject({ version: 0, shape: SMALL_SHAPE });
    expect(stored.records.model!.values).toHaveLength(SMALL_SHAPE.numItems * (SMALL_SHAPE.dim + 1));

    const shopper = await visit(file, url);
    const offline = nextShopperEvent(shopper, 'offline');
    const list = await shopper.recommend(3);
    expect(list).toMatchObject({ personalised: true, modelVersion: 0 });
    expect(list.items).toHaveLength(3);
    expect(list.items.some((r) => [2, 3, 4].includes(r.item))).toBe(true);
    const { error } = await offline;
    expect(error.code).toBe('SERVER_UNREACHABLE');
    expect(error.message).toMatch(/^the server cannot be reached: GET \/model failed/);
    expect(shopper.modelVersion).toBe(0);
  });

  it('a corrupt stored model gives MODEL_UNAVAILABLE naming the bad field, and loses nothing else', async () => {
    const file = join(await resources.tempDir('fedrec-offline-'), 'shopper.json');
    const url = await firstVisitThenServerDown(file);
    const contents = JSON.parse(await readFile(file, 'utf8')) as { events: unknown[]; records: { consent: string; model: { values: unknown[] } } };
    contents.records.model.values[3] = 'not a number';
    await writeFile(file, JSON.stringify(contents));

    const shopper = await visit(file, url);
    const error = await shopper.recommend(3).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', path: 'model.values.3' });
    expect((error as Error).message).toMatch(/GET \/model failed.*the stored model is unusable \(values\.3: /);
    // The history and the consent are untouched, and the client works on.
    expect(shopper.consent).toBe('local');
    expect((await shopper.transparency()).stored.events).toBe(3);
    expect(await shopper.track({ item: 5, type: 'cart', time: T + 10 })).toBe(true);
    const reread = JSON.parse(await readFile(file, 'utf8')) as { events: unknown[]; records: { consent: unknown } };
    expect(reread.events).toHaveLength(4);
    expect(reread.records.consent).toMatchObject({ level: 'local' });
  });

  it('forget() deletes the stored model with everything else', async () => {
    const file = join(await resources.tempDir('fedrec-offline-'), 'shopper.json');
    const url = await firstVisitThenServerDown(file);
    const shopper = await visit(file, url);
    expect((await shopper.recommend(3)).modelVersion).toBe(0);
    await shopper.forget();
    const after = JSON.parse(await readFile(file, 'utf8')) as { records: Record<string, unknown> };
    expect(after.records).toEqual({});

    const next = await visit(file, url);
    await expect(next.recommend(3)).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE', message: expect.stringMatching(/none is stored on this device/) });
  });

  it('stores nothing, the model included, while consent is off', async () => {
    const file = join(await resources.tempDir('fedrec-offline-'), 'shopper.json');
    const server = await startServer(resources);
    const shopper = await createClient({ serverUrl: server.address!.url, storage: createFileStore(file), consent: 'off' });
    resources.add(() => shopper.close());
    expect((await shopper.recommend(3)).modelVersion).toBe(0);
    await shopper.transparency(); // queued behind any write the recommendation caused
    await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a contributing shopper hears the server is offline from its connection for rounds too, without asking for recommendations', async () => {
    const file = join(await resources.tempDir('fedrec-offline-'), 'shopper.json');
    const url = await firstVisitThenServerDown(file);
    const shopper = await visit(file, url);
    const offline = nextShopperEvent(shopper, 'offline');
    await shopper.setConsent('contribute'); // the first visit stored `local`
    const { error } = await offline;
    // Its first request is for the privacy notice the choice is recorded under (issue #16 point 8).
    expect(error).toMatchObject({ code: 'SERVER_UNREACHABLE', message: expect.stringMatching(/^the server cannot be reached: GET \/privacy-notice failed: /) });
  });

  it('says online again when the server answers after being unreachable', async () => {
    const file = join(await resources.tempDir('fedrec-offline-'), 'shopper.json');
    const url = await firstVisitThenServerDown(file);
    const shopper = await visit(file, url);
    const offline = nextShopperEvent(shopper, 'offline');
    await shopper.recommend(1);
    await offline;
    const port = Number(new URL(url).port);
    const server = await startServer(resources, { port });
    const online = nextShopperEvent(shopper, 'online');
    await shopper.refreshModel();
    expect(await online).toEqual({ modelVersion: server.status().model.version });
  });
});
