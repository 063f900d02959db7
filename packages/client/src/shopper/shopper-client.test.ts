import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { SharedModel } from '@fedrec/core';
import { createSeededRandomSource, intraListDiversity, scoreAllItems, topK } from '@fedrec/core';
import { createMemoryStore } from '../storage/memory-store.js';
import { toStoredModel } from '../storage/stored-model.js';
import type { ShopperStore } from '../storage/shopper-store.js';
import { createClient } from './create-client.js';
import type { ShopperClientOptions } from './shopper-client-options.js';

await tf.setBackend('cpu');

const CLUSTERS = 4;
const PER_CLUSTER = 6;
const NUM_ITEMS = CLUSTERS * PER_CLUSTER;
const DIM = 4;
const categories = Int32Array.from({ length: NUM_ITEMS }, (_, i) => Math.floor(i / PER_CLUSTER));

/** Items of one cluster point the same way; popularity (bias) falls with the item index. */
function clusteredModel(): SharedModel {
  const random = createSeededRandomSource('clustered-model');
  const values = new Float32Array(NUM_ITEMS * (DIM + 1));
  for (let i = 0; i < NUM_ITEMS; i++) {
    for (let d = 0; d < DIM; d++) values[i * DIM + d] = (d === categories[i] ? 1 : 0) + (random.nextFloat() - 0.5) * 0.2;
    values[NUM_ITEMS * DIM + i] = 1 - i / NUM_ITEMS;
  }
  return { shape: { numItems: NUM_ITEMS, dim: DIM }, version: 3, values };
}

function client(storage: ShopperStore = createMemoryStore(), options: Partial<ShopperClientOptions> = {}) {
  return createClient({ storage, model: clusteredModel(), random: createSeededRandomSource('negatives'), ...options });
}

// Recent, so that the default 90-day retention keeps them.
const T = Date.now() - 3_600_000;

describe('createClient: consent', () => {
  it('starts off and unchosen: stores nothing, recommends popular items only', async () => {
    const storage = createMemoryStore();
    const shopper = await client(storage);
    expect([shopper.consent, shopper.consentChosen]).toEqual(['off', false]);
    expect(await shopper.track({ item: 13, type: 'purchase' })).toBe(false);
    expect(await storage.readEvents()).toEqual([]);
    expect(await storage.readRecord('consent')).toBeUndefined();
    const list = await shopper.recommend(5);
    expect(list.personalised).toBe(false);
    expect(list.items.map((r) => r.item)).toEqual([0, 1, 2, 3, 4]);
  });

  it('stores the choice; a stored choice wins over the shop’s default on the next visit', async () => {
    const storage = createMemoryStore();
    const first = await client(storage);
    await first.setConsent('local');
    expect(await storage.readRecord('consent')).toEqual({ level: 'local', noticeVersion: null, time: expect.any(Number) });
    const second = await client(storage, { consent: 'contribute' });
    expect([second.consent, second.consentChosen]).toEqual(['local', true]);
  });

  it('records events only once consent allows, and stops at once when it is withdrawn (keeping what is stored until forget)', async () => {
    const storage = createMemoryStore();
    const shopper = await client(storage);
    const changes: string[] = [];
    shopper.on('consentChanged', ({ consent }) => changes.push(consent));
    expect(await shopper.track({ item: 1, type: 'view', time: T })).toBe(false);
    await shopper.setConsent('local');
    expect(await shopper.track({ item: 2, type: 'view', time: T + 1 })).toBe(true);
    await shopper.setConsent('off');
    expect(await shopper.track({ item: 3, type: 'cart', time: T + 2 })).toBe(false);
    expect((await storage.readEvents()).map((e) => e.item)).toEqual([2]);
    expect((await shopper.recommend(3)).personalised).toBe(false);
    expect((await shopper.transparency()).stored.events).toBe(1);
    expect(changes).toEqual(['local', 'off']);
  });

  it('rejects an unknown consent level', async () => {
    const shopper = await client();
    await expect(shopper.setConsent('everything' as 'off')).rejects.toThrow(/consent to be one of off, local, contribute, got 'everything'/);
  });
});

describe('createClient: recommendations', () => {
  it('personalises on the device from the history, and follows new interactions', async () => {
    const shopper = await client(undefined, { consent: 'local' });
    for (const item of [12, 13, 14]) await shopper.track({ item, type: 'view', time: T + item });
    const before = await shopper.recommend(4);
    expect(before.personalised).toBe(true);
    expect(before.items.every((r) => categories[r.item] === 2)).toBe(true);
    for (const item of [18, 19, 20, 21]) await shopper.track({ item, type: 'purchase', time: T + 100 + item });
    const after = await shopper.recommend(4);
    expect(after.items.map((r) => r.item)).not.toEqual(before.items.map((r) => r.item));
    expect(after.items.filter((r) => categories[r.item] === 3).length).toBeGreaterThan(0);
    // Purchased items are not recommended again.
    expect(after.items.some((r) => [18, 19, 20, 21].includes(r.item))).toBe(false);
  });

  it('diversity 0 is the model’s relevance order; diversity 1 spreads over categories', async () => {
    const stored = createMemoryStore();
    const shopper = await client(stored, { consent: 'local', itemCategories: categories });
    for (const item of [0, 1, 2]) await shopper.track({ item, type: 'view', time: T + item });
    const plain = await shopper.recommend(6, { diversity: 0 });
    const vector = Float32Array.from(((await stored.readRecord('userVector')) as { values: number[] }).values);
    const model = clusteredModel();
    expect(plain.items.map((r) => r.item)).toEqual(Array.from(topK(scoreAllItems(model.shape, model.values, vector), 6)));
    const diverse = await shopper.recommend(6, { diversity: 1 });
    const features = { kind: 'categories' as const, categories };
    expect(intraListDiversity(diverse.items.map((r) => r.item), features)!).toBeGreaterThan(intraListDiversity(plain.items.map((r) => r.item), features)!);
    expect(new Set(diverse.items.map((r) => categories[r.item])).size).toBe(CLUSTERS);
  });

  it('says MODEL_UNAVAILABLE without a model or a server, and validates its arguments', async () => {
    const shopper = await createClient({ storage: createMemoryStore(), consent: 'local' });
    await expect(shopper.recommend(3)).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    const withModel = await client(undefined, { consent: 'local' });
    await expect(withModel.recommend(3, { diversity: 2 })).rejects.toThrow(/diversity in \[0, 1\], got 2/);
    await expect(withModel.track({ item: NUM_ITEMS, type: 'view' })).rejects.toThrow(/item in \[0, 24\), got 24/);
    await expect(withModel.track({ item: 1, type: 'like' as 'view' })).rejects.toThrow(/one of view, cart, purchase, got 'like'/);
  });
});

describe('createClient: a model shipped with the page, and the stored one', () => {
  it('uses the newer of the shipped model and the one an earlier visit stored; an unusable stored one leaves the shipped one', async () => {
    const shipped = clusteredModel(); // version 3
    const newer = { ...shipped, version: 9, values: shipped.values.map((x) => -x) };
    const storage = createMemoryStore();
    await storage.writeRecord('model', toStoredModel(newer));
    const returning = await client(storage, { consent: 'local' });
    expect(returning.modelVersion).toBe(9);
    expect((await returning.recommend(3)).modelVersion).toBe(9);

    await storage.writeRecord('model', toStoredModel({ ...shipped, version: 1 }));
    expect((await client(storage, { consent: 'local' })).modelVersion).toBe(3);
    await storage.writeRecord('model', { ...toStoredModel(newer), values: [1, 2] });
    expect((await client(storage, { consent: 'local' })).modelVersion).toBe(3);
  });

  it('stores the model in use once the shopper opts in, and not before', async () => {
    const storage = createMemoryStore();
    const shopper = await client(storage);
    await shopper.recommend(3);
    expect(await storage.readRecord('model')).toBeUndefined();
    await shopper.setConsent('local');
    await shopper.transparency(); // queued behind the write
    expect(await storage.readRecord('model')).toMatchObject({ version: 3, shape: { numItems: NUM_ITEMS, dim: DIM } });
  });
});

describe('createClient: transparency and forget', () => {
  it('reports what is stored by type, oldest and newest, and no spending without rounds', async () => {
    const shopper = await client(createMemoryStore({ retention: { maxEvents: 3 } }), { consent: 'local' });
    await shopper.track({ item: 1, type: 'view', time: T });
    await shopper.track({ item: 2, type: 'cart', time: T + 10 });
    await shopper.track({ item: 3, type: 'purchase', time: T + 20 });
    await shopper.track({ item: 4, type: 'view', time: T + 30 }); // retention: the first view goes
    await shopper.recommend(2);
    const report = await shopper.transparency();
    expect(report.stored).toMatchObject({ events: 3, byType: { view: 1, cart: 1, purchase: 1 }, oldest: T + 10, newest: T + 30, userVector: true });
    expect(report.updates).toEqual([]);
    expect(report.privacy).toEqual({ epsilon: 0, delta: null, budget: 10, rounds: 0 });
  });

  it('forget() deletes everything stored and returns to off, unchosen', async () => {
    const storage = createMemoryStore();
    const shopper = await client(storage, { consent: 'local' });
    await shopper.setConsent('local');
    await shopper.track({ item: 5, type: 'purchase', time: T });
    await shopper.recommend(3);
    await shopper.forget();
    expect(await storage.readEvents()).toEqual([]);
    for (const key of ['consent', 'userVector', 'privacy'] as const) expect(await storage.readRecord(key)).toBeUndefined();
    expect([shopper.consent, shopper.consentChosen]).toEqual(['off', false]);
    expect((await shopper.recommend(3)).personalised).toBe(false);
    expect(await shopper.track({ item: 6, type: 'view' })).toBe(false);
  });

  it('a track() issued before forget() never lands after it', async () => {
    const storage = createMemoryStore();
    const shopper = await client(storage, { consent: 'local' });
    const tracked = shopper.track({ item: 7, type: 'view', time: T });
    await shopper.forget();
    expect(await tracked).toBe(true);
    expect(await storage.readEvents()).toEqual([]);
  });

  it('refuses to start over a corrupt privacy ledger (STORAGE_CORRUPT) rather than reset the budget', async () => {
    const storage = createMemoryStore();
    await storage.writeRecord('privacy', { ledger: { format: 'nonsense' }, delta: null, updates: [] } as never);
    await expect(client(storage)).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
  });

  it('close() lets queued writes finish, then closes the store; later use is CLIENT_CLOSED', async () => {
    const storage = createMemoryStore();
    const shopper = await client(storage, { consent: 'local' });
    const tracked = shopper.track({ item: 2, type: 'cart', time: T });
    await shopper.close();
    expect(await tracked).toBe(true);
    await expect(storage.readEvents()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(shopper.track({ item: 3, type: 'view' })).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
    await expect(shopper.recommend(2)).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});

describe('createClient: clients sharing one store (tabs), with no channel between them', () => {
  it('a forget() by another client is caught inside the store: this one writes nothing, then reports forgotten and off', async () => {
    const storage = createMemoryStore();
    const deleting = await client(storage, { consent: 'local' });
    const stale = await client(storage, { consent: 'local' });
    await stale.track({ item: 1, type: 'view', time: T });
    const seen: string[] = [];
    stale.on('forgotten', () => seen.push('forgotten'));
    stale.on('consentChanged', ({ consent, chosen }) => seen.push(`${consent}/${chosen}`));
    await deleting.forget();
    expect(await stale.track({ item: 2, type: 'purchase', time: T + 1 })).toBe(false);
    expect(seen).toEqual(['forgotten', 'off/false']);
    expect([stale.consent, stale.consentChosen]).toEqual(['off', false]);
    expect((await stale.recommend(3)).personalised).toBe(false);
    expect(await storage.readEvents()).toEqual([]);
    for (const key of ['consent', 'userVector', 'privacy'] as const) expect(await storage.readRecord(key)).toBeUndefined();
  });

  it('a choice made in a client that has not heard of another’s forget() is refused (STORE_FORGOTTEN), and that client asks again', async () => {
    const storage = createMemoryStore();
    const deleting = await client(storage);
    const stale = await client(storage);
    await deleting.forget();
    await expect(stale.setConsent('contribute')).rejects.toMatchObject({ code: 'STORE_FORGOTTEN' });
    expect([stale.consent, stale.consentChosen]).toEqual(['off', false]);
    expect(await storage.readRecord('consent')).toBeUndefined();
    await stale.setConsent('local');
    expect(await storage.readRecord('consent')).toMatchObject({ level: 'local' });
  });

  it('a withdrawal stored by another client is caught inside the store: this one stops storing and adopts it', async () => {
    const storage = createMemoryStore();
    const withdrawing = await client(storage, { consent: 'local' });
    const stale = await client(storage, { consent: 'local' });
    await withdrawing.setConsent('off');
    expect(await stale.track({ item: 3, type: 'view', time: T })).toBe(false);
    expect([stale.consent, stale.consentChosen]).toEqual(['off', true]);
    expect(await storage.readEvents()).toEqual([]);
  });

  it('calls made right after this client’s own forget() belong to the new generation', async () => {
    const storage = createMemoryStore();
    const shopper = await client(storage, { consent: 'local' });
    const forgotten = shopper.forget();
    const chosen = shopper.setConsent('local');
    await forgotten;
    await chosen;
    expect(await shopper.track({ item: 4, type: 'cart', time: T })).toBe(true);
    expect(await storage.readRecord('consent')).toMatchObject({ level: 'local' });
    expect((await storage.readEvents()).map((e) => e.item)).toEqual([4]);
  });
});
