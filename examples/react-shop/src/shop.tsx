import { useEffect, useState } from 'react';
import { CONSENT_LEVELS, createClient, type ConsentLevel, type RecommendationList, type ShopperClient } from '@fedrec/client';
import { createIndexedDbStore, selectBrowserBackend } from '@fedrec/client/browser';
import type { Catalogue } from '../../web-shop/catalogue.js';

type Loaded = { readonly catalogue: Catalogue; readonly client: ShopperClient };

/**
 * Opens the shopper's client once and closes it when the component unmounts:
 * `close()` withdraws from rounds and releases the IndexedDB store, so a shop
 * that mounts and unmounts the widget (or React's StrictMode, which mounts
 * twice in development builds) never leaves a client holding the store or a
 * socket behind.
 */
function useShopperClient(): { readonly loaded: Loaded | null; readonly error: string | null } {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let unmounted = false;
    let opened: ShopperClient | null = null;
    (async () => {
      const catalogue = (await (await fetch('/catalogue.json')).json()) as Catalogue;
      // Before the client trains or recommends: wasm served by the shop itself, else cpu.
      await selectBrowserBackend({ wasmPaths: '/vendor/tfjs-wasm/' });
      const client = await createClient({
        serverUrl: location.origin,
        storage: createIndexedDbStore(),
        // Nothing is stored until the shopper picks a level below.
        consent: 'off',
        itemCategories: catalogue.products.map((p) => p.category),
      });
      // Unmounted while opening: nobody will close it later, so close it now.
      if (unmounted) return client.close();
      opened = client;
      setLoaded({ catalogue, client });
    })().catch((e: unknown) => {
      if (!unmounted) setError(e instanceof Error ? e.message : String(e));
    });
    return () => {
      unmounted = true;
      void opened?.close();
    };
  }, []);
  return { loaded, error };
}

/** The shopper's recommendations, asked for again whenever `revision` changes (a new event, another consent). */
function useRecommendations(client: ShopperClient, revision: number): RecommendationList | null {
  const [list, setList] = useState<RecommendationList | null>(null);
  useEffect(() => {
    // A slower, older answer must not overwrite a newer one, nor land after unmount.
    let stale = false;
    client.recommend(6).then(
      (next) => {
        if (!stale) setList(next);
      },
      () => {
        if (!stale) setList(null);
      },
    );
    return () => {
      stale = true;
    };
  }, [client, revision]);
  return list;
}

const CONSENT_LABELS: Record<ConsentLevel, string> = {
  off: 'Keep nothing',
  local: 'Remember on this device',
  contribute: 'Remember, and help improve suggestions',
};

function ShopWithClient({ catalogue, client }: Loaded) {
  const [consent, setConsent] = useState<ConsentLevel | null>(client.consentChosen ? client.consent : null);
  const [revision, setRevision] = useState(0);
  const list = useRecommendations(client, revision);

  const choose = (level: ConsentLevel): void => {
    void client.setConsent(level).then(() => {
      setConsent(level);
      setRevision((r) => r + 1);
    });
  };
  const forget = (): void => {
    void client.forget().then(() => {
      setConsent(null);
      setRevision((r) => r + 1);
    });
  };
  const view = (item: number): void => {
    void client.track({ item, type: 'view' }).then(() => setRevision((r) => r + 1));
  };

  return (
    <main>
      <section aria-labelledby="consent-title">
        <h2 id="consent-title">How may this shop use what you do here?</h2>
        <p>
          {consent === null
            ? 'You have not chosen yet, so nothing is kept.'
            : `You chose: ${CONSENT_LABELS[consent]}. Your history never leaves this device unless you choose to help improve suggestions, and then only as blurred model updates.`}
        </p>
        {CONSENT_LEVELS.map((level) => (
          <button key={level} type="button" aria-pressed={consent === level} onClick={() => choose(level)}>
            {CONSENT_LABELS[level]}
          </button>
        ))}
        <button type="button" onClick={forget}>
          Forget me
        </button>
      </section>

      <section aria-labelledby="recs-title">
        <h2 id="recs-title">Recommended for you</h2>
        <ol id="recs" data-source={list?.source ?? ''}>
          {list?.items.map(({ item }) => <li key={item}>{catalogue.products[item]?.name ?? `item ${item}`}</li>)}
        </ol>
      </section>

      <section aria-labelledby="products-title">
        <h2 id="products-title">Products</h2>
        <ul>
          {catalogue.products.map((p) => (
            <li key={p.index}>
              {p.name} <small>({catalogue.categories[p.category]})</small>{' '}
              <button type="button" aria-label={`View ${p.name}`} onClick={() => view(p.index)}>
                View
              </button>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}

export function Shop() {
  const { loaded, error } = useShopperClient();
  if (error !== null) return <p role="alert">Could not start recommendations: {error}</p>;
  if (loaded === null) return <p>Loading…</p>;
  return <ShopWithClient catalogue={loaded.catalogue} client={loaded.client} />;
}
