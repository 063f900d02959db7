import { createClient } from '@fedrec/client';
import { createIndexedDbStore, selectBrowserBackend } from '@fedrec/client/browser';
import { defineFedRecComponents, type FedRecConsentEventDetail } from '@fedrec/client/components';
import type { Catalogue, Product } from '../catalogue.js';
import { byId, el } from './ui/dom.js';
import { productCard, type ShopperAction } from './ui/product-card.js';
import { countOf } from './ui/format.js';

/** The shopper's own ε limit: rounds that would take this device past it are declined. */
const PERSONAL_BUDGET = { epsilon: 10 };
const RECOMMENDATIONS = 8;

const DONE: Record<ShopperAction, string> = { view: 'Viewed', cart: 'Added to cart:', purchase: 'Bought' };

/** How long the status toast stays: long enough to read, then it clears so it covers nothing. */
const TOAST_MS = 10_000;
let toastTimer: ReturnType<typeof setTimeout> | undefined;

function announce(message: string): void {
  const status = byId('status', HTMLElement);
  status.textContent = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    if (status.textContent === message) status.textContent = '';
  }, TOAST_MS);
}

/** Marks the button just used for a moment (its accessible name is its aria-label, unchanged). */
function markDone(button: HTMLElement): void {
  button.classList.add('done');
  setTimeout(() => button.classList.remove('done'), 1500);
}

async function main(): Promise<void> {
  const catalogue = (await (await fetch('/catalogue.json')).json()) as Catalogue;
  // `?backend=webgl` (or wasm, cpu) forces one, to try each; by default wasm, else cpu (see selectBrowserBackend).
  const forced = new URLSearchParams(location.search).get('backend');
  const force = forced === 'webgl' || forced === 'wasm' || forced === 'cpu' ? forced : undefined;
  const backend = await selectBrowserBackend({ wasmPaths: '/vendor/tfjs-wasm/', ...(force !== undefined ? { force } : {}) });
  document.documentElement.dataset['backend'] = backend.name;
  const client = await createClient({
    serverUrl: location.origin,
    storage: createIndexedDbStore(),
    consent: 'off',
    personalBudget: PERSONAL_BUDGET,
    itemCategories: catalogue.products.map((p) => p.category),
  });

  // The consent banner and the privacy dashboard (@fedrec/client/components) follow the client themselves,
  // other tabs of the shop included; the page only announces what happened and where focus goes after a deletion.
  defineFedRecComponents();
  const banner = document.querySelector('fedrec-consent')!;
  const dashboard = document.querySelector('fedrec-privacy')!;
  banner.client = client;
  dashboard.client = client;
  const CHOSEN = { off: 'Saved: nothing will be kept.', local: 'Saved: personalising on this device only.', contribute: 'Saved: personalising here and helping train, within your privacy limit.' } as const;
  document.addEventListener('fedrec-consent', (event) => announce(CHOSEN[(event as CustomEvent<FedRecConsentEventDetail>).detail.level]));
  // The dashboard says “Deleted” itself; the banner asks again: take the shopper to it.
  dashboard.addEventListener('fedrec-forgotten', () => banner.focus());

  // Items added to the cart this visit (the demo has no checkout: a purchase does not empty it).
  let cartItems = 0;
  const onAction = (product: Product, type: ShopperAction, button: HTMLButtonElement): void => {
    client.track({ item: product.index, type }).then(
      (stored) => {
        announce(`${DONE[type]} ${product.name}.${stored ? '' : ' (Not remembered: you chose to keep nothing.)'}`);
        markDone(button);
        if (type === 'cart') byId('cart-count', HTMLElement).textContent = `Cart: ${countOf(++cartItems, 'item')}`;
      },
      (error: unknown) => announce(`Could not record that: ${error instanceof Error ? error.message : 'unknown error'}`),
    );
  };

  byId('product-grid', HTMLElement).replaceChildren(...catalogue.products.map((p) => productCard(p, catalogue, 'grid', onAction)));

  // Recommendations: a newer request wins, so a fast slider never shows a stale list.
  const slider = byId('diversity', HTMLInputElement);
  let latest = 0;
  const renderRecommendations = async (): Promise<void> => {
    const request = ++latest;
    const diversity = Number(slider.value);
    const list = await client.recommend(RECOMMENDATIONS, { diversity });
    if (request !== latest) return;
    byId('recs-list', HTMLElement).replaceChildren(
      ...list.items.map(({ item }) => productCard(catalogue.products[item]!, catalogue, 'recs', onAction)),
    );
    byId('recs-note', HTMLElement).textContent =
      list.source === 'history'
        ? 'Worked out on this device from your activity and the shop’s catalogue (categories, brands).'
        : list.personalised
          ? 'Worked out on this device from your activity.'
          : client.consent === 'off'
            ? 'Popular items: you chose to keep nothing.'
            : 'Popular items, until you look around a little.';
    byId('recs-list', HTMLElement).dataset['personalised'] = String(list.personalised);
    // What ranked the list: the shopper's history against the catalogue (consent `local`), the shared model, or popularity.
    byId('recs-list', HTMLElement).dataset['source'] = list.source;
    byId('recs-list', HTMLElement).dataset['modelVersion'] = String(list.modelVersion);
  };
  const refreshRecommendations = (): void => {
    renderRecommendations().catch((error: unknown) => announce(`Recommendations unavailable: ${error instanceof Error ? error.message : 'unknown error'}`));
  };
  slider.addEventListener('input', () => {
    byId('diversity-value', HTMLOutputElement).value = slider.value;
    slider.setAttribute('aria-valuetext', `${Math.round(Number(slider.value) * 100)}% variety`);
    refreshRecommendations();
  });

  for (const event of ['consentChanged', 'historyChanged', 'modelUpdated', 'forgotten'] as const) client.on(event, refreshRecommendations);
  client.on('updateSent', ({ entry }) => announce(`Sent a noised model update for round ${entry.roundId} (ε ${entry.epsilon.toFixed(2)}).`));

  // First visit (or a changed privacy notice): the banner is the first thing keyboard and screen-reader users meet.
  if (client.consentNeeded) banner.focus();
  await renderRecommendations();
  document.documentElement.dataset['ready'] = 'true';
}

main().catch((error: unknown) => {
  document.documentElement.dataset['ready'] = 'failed';
  document.body.prepend(el('p', { role: 'alert', class: 'statement' }, `The shop could not start: ${error instanceof Error ? error.message : 'unknown error'}`));
});
