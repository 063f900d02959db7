/*
 * A page holding `<fedrec-consent>` and `<fedrec-privacy>` over a real
 * client (IndexedDB, a real FedRec server on the page's origin), for
 * `components.test.ts` and `scripts/component-screenshots.ts`. Bundled with
 * esbuild; driven through `globalThis.componentsPage`.
 */
import { createClient, type ShopperClient } from '@fedrec/client';
import { createIndexedDbStore } from '@fedrec/client/browser';
import { defineFedRecComponents } from '@fedrec/client/components';
import { readStoredContents, type StoredContents } from './stored-contents.js';

export interface ComponentsPage {
  /** Lays out a small shop page in `lang` with both components over a fresh client on IndexedDB `store`; resolves once the notice is shown. */
  open(lang: string, store: string): Promise<string>;
  /** Stores a view of `item` (consent allowing); resolves to whether it was stored. */
  track(item: number): Promise<boolean>;
  state(): { readonly consent: string; readonly consentChosen: boolean; readonly consentNeeded: boolean; readonly noticeVersion: string | null };
  stored(): Promise<StoredContents>;
  /** The stored consent record, as IndexedDB holds it. */
  consentRecord(): Promise<unknown>;
}

defineFedRecComponents();
let client: ShopperClient | null = null;
let storeName = '';

const page: ComponentsPage = {
  async open(lang, store) {
    storeName = store;
    document.documentElement.lang = lang;
    // Themed as a shop would (a custom property crosses the shadow boundary).
    document.documentElement.style.setProperty('--fedrec-font', 'system-ui, sans-serif');
    document.title = lang === 'ar' ? 'متجر تجريبي' : 'A demo shop';
    document.body.innerHTML = [
      '<header><fedrec-consent focus-after="shop-title"></fedrec-consent></header>',
      `<main><h1 id="shop-title" tabindex="-1">${lang === 'ar' ? 'متجر تجريبي' : 'A demo shop'}</h1>`,
      '<fedrec-privacy></fedrec-privacy></main>',
    ].join('');
    client = await createClient({ serverUrl: location.origin, storage: createIndexedDbStore({ name: store }), consent: 'off', personalBudget: { epsilon: 10 } });
    const notice = await client.refreshPrivacyNotice();
    document.querySelector('fedrec-consent')!.client = client;
    document.querySelector('fedrec-privacy')!.client = client;
    return notice.version;
  },
  track: (item) => client!.track({ item, type: 'view' }),
  state: () => ({ consent: client!.consent, consentChosen: client!.consentChosen, consentNeeded: client!.consentNeeded, noticeVersion: client!.consentNoticeVersion }),
  stored: () => readStoredContents(storeName),
  consentRecord: () =>
    new Promise((resolve, reject) => {
      const request = indexedDB.open(storeName);
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const db = request.result;
        const get = db.transaction('records', 'readonly').objectStore('records').get('consent');
        get.onsuccess = () => {
          db.close();
          resolve(get.result);
        };
        get.onerror = () => reject(get.error);
      };
    }),
};

(globalThis as unknown as { componentsPage: ComponentsPage }).componentsPage = page;
