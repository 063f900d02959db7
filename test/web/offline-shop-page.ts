/*
 * A shop page for the offline scenario (`offline-reload.test.ts`): bundled
 * with esbuild and served on the page's origin, in front of a FedRec server
 * (so `serverUrl` is the page's own origin). The test drives it through
 * `globalThis.offlineShop`; what the client emits about the server's
 * reachability and its model is kept in `events`.
 */
import * as tf from '@tensorflow/tfjs';
import { createClient, type RecommendationList, type ShopperClient } from '@fedrec/client';
import { createIndexedDbStore } from '@fedrec/client/browser';

export interface OfflineShop {
  /** Creates the shopper's client on the page's IndexedDB, as every visit does. */
  open(): Promise<void>;
  optIn(): Promise<void>;
  view(items: readonly number[]): Promise<void>;
  recommend(k: number): Promise<RecommendationList>;
  /** The version of the model record in IndexedDB, read straight from the database; null when there is none. */
  storedModelVersion(): Promise<number | null>;
  forget(): Promise<void>;
  readonly events: { readonly event: 'offline' | 'online' | 'modelUpdated'; readonly detail: string }[];
}

const DATABASE = 'fedrec-offline-test';
let client: ShopperClient | null = null;
const events: OfflineShop['events'] = [];

function shopper(): ShopperClient {
  if (client === null) throw new Error('open() first');
  return client;
}

function readModelRecord(): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const get = db.transaction('records', 'readonly').objectStore('records').get('model');
      get.onerror = () => reject(get.error);
      get.onsuccess = () => {
        db.close();
        const value = get.result as { version?: unknown } | undefined;
        resolve(typeof value?.version === 'number' ? value.version : null);
      };
    };
  });
}

const shop: OfflineShop = {
  async open() {
    await tf.setBackend('cpu');
    client = await createClient({ serverUrl: location.origin, storage: createIndexedDbStore({ name: DATABASE }), consent: 'off' });
    client.on('offline', ({ error }) => events.push({ event: 'offline', detail: `${error.code}: ${error.message}` }));
    client.on('online', ({ modelVersion }) => events.push({ event: 'online', detail: String(modelVersion) }));
    client.on('modelUpdated', ({ modelVersion }) => events.push({ event: 'modelUpdated', detail: String(modelVersion) }));
  },
  optIn: () => shopper().setConsent('local'),
  async view(items) {
    const now = Date.now();
    for (const [i, item] of items.entries()) await shopper().track({ item, type: 'view', time: now - 1_000 + i });
  },
  recommend: (k) => shopper().recommend(k),
  async storedModelVersion() {
    // Queued behind the client's own writes (the model is stored in the background).
    await shopper().transparency();
    return readModelRecord();
  },
  forget: () => shopper().forget(),
  events,
};

(globalThis as { offlineShop?: OfflineShop }).offlineShop = shop;
