import { afterEach, describe, expect, it } from 'vitest';
import { createClient, createMemoryStore, type ShopperClient, type ShopperStore } from '@fedrec/client';
import type { FedRecServer } from '@fedrec/server';
import { createInProcessTabs, type InProcessTab } from '../../packages/client/src/test-support/in-process-tabs.js';
import { Resources, nextServerEvent, nextShopperEvent, startServer } from './helpers.js';

/*
 * Tabs in one Node process (the in-process harness: one shared store, a
 * participant lock with Web Locks semantics, a change channel), against a
 * real server, with the lock and the channel made to deliver in orders a
 * browser allows but seldom shows. `multi-tab.test.ts` runs the same
 * behaviour in Chromium, where these orders come up only now and then.
 */

const resources = new Resources();
afterEach(() => resources.cleanup());

/** Each round wants more clients than a device ever connects: these tests are about who connects, not about training. */
async function quietServer(): Promise<FedRecServer> {
  return startServer(resources, { model: { numItems: 30, dim: 4, seed: 'shared-store-tabs' }, rounds: { minClients: 5 } });
}

function watchConnections(server: FedRecServer): Set<string> {
  const ever = new Set<string>();
  server.events.on('clientConnected', ({ clientId }) => ever.add(clientId));
  return ever;
}

async function openTab(server: FedRecServer, tab: InProcessTab, store: ShopperStore = tab.store): Promise<ShopperClient> {
  const client = await createClient({
    serverUrl: server.address!.url,
    storage: store,
    consent: 'local',
    transport: { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } },
  });
  resources.add(() => client.close());
  return client;
}

/** Resolves once one of the two tabs takes part and the other waits its turn, whichever way round. */
function oneTakesPartOneWaits(x: ShopperClient, y: ShopperClient): Promise<void> {
  const joins = (tab: ShopperClient) => nextShopperEvent(tab, 'participationChanged', (p) => p.participating, 10_000);
  const waits = (tab: ShopperClient) => nextShopperEvent(tab, 'participationChanged', (p) => p.waitingForTurn, 10_000);
  const way = async (a: ShopperClient, b: ShopperClient): Promise<void> => {
    await Promise.all([joins(a), waits(b)]);
  };
  return Promise.any([way(x, y), way(y, x)]);
}

/** One event-loop turn: whatever a settled write set off within the tab has run by then. */
const afterwards = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('tabs sharing one store, in orders a browser seldom shows', () => {
  it('the tab where the shopper opts in takes part, even when its lock request reaches the lock after its consent is stored', async () => {
    const server = await quietServer();
    const connections = watchConnections(server);
    const tabs = createInProcessTabs(createMemoryStore());
    const [a, b] = [tabs.tab('a'), tabs.tab('b')];
    // a's lock request arrives only after a's consent write, and all it set off, are done:
    // had a told b by then, b's own request would be first in line.
    let consentStored = (): void => {};
    const stored = new Promise<void>((resolve) => {
      consentStored = resolve;
    });
    a.gateLockRequests(stored.then(afterwards));
    const storeA: ShopperStore = {
      ...a.store,
      writeRecord: async (key, value, guard) => {
        await a.store.writeRecord(key, value, guard);
        if (key === 'consent') consentStored();
      },
    };
    const choosing = await openTab(server, a, storeA);
    const other = await openTab(server, b);

    const settledRoles = oneTakesPartOneWaits(choosing, other);
    await choosing.setConsent('contribute');
    await settledRoles;

    expect({ holder: tabs.holder, waiting: tabs.waiting, otherConsent: other.consent, connections: connections.size }).toEqual({
      holder: 'a',
      waiting: ['b'],
      otherConsent: 'contribute',
      connections: 1,
    });
  });

  it.each([
    { how: 'forget()', act: (tab: ShopperClient) => tab.forget(), consent: 'off', chosen: false, forgotten: 1 },
    { how: 'a withdrawal', act: (tab: ShopperClient) => tab.setConsent('local'), consent: 'local', chosen: true, forgotten: 0 },
  ])('after $how in the participating tab, a waiting tab that has not heard yet is handed the place only once the change is stored, reads it and never connects', async ({ act, consent, chosen, forgotten }) => {
    const server = await quietServer();
    const connections = watchConnections(server);
    const tabs = createInProcessTabs(createMemoryStore());
    const [a, b] = [tabs.tab('a'), tabs.tab('b')];
    const participant = await openTab(server, a);
    const waiting = await openTab(server, b);
    const joined = nextShopperEvent(participant, 'participationChanged', (p) => p.participating, 10_000);
    const waits = nextShopperEvent(waiting, 'participationChanged', (p) => p.waitingForTurn, 10_000);
    await participant.setConsent('contribute');
    await Promise.all([joined, waits]);
    expect(tabs.holder).toBe('a');

    // The waiting tab hears nothing more for now: it is handed the lock before any message.
    b.holdChanges();
    const deliveredBefore = b.delivered.length;
    const heard: string[] = [];
    waiting.on('forgotten', () => heard.push('forgotten'));
    const caughtUp = nextShopperEvent(waiting, 'consentChanged', (c) => c.consent === consent, 10_000);
    const left = nextServerEvent(server, 'clientDisconnected');
    await act(participant);
    await left;
    // Either it catches up from the store, or (the race this guards against) it connects under the consent it last heard of.
    await Promise.race([caughtUp, nextServerEvent(server, 'clientConnected', () => true, 10_000)]);
    await afterwards();

    expect({
      holder: tabs.holder,
      waitingFor: tabs.waiting,
      state: [waiting.consent, waiting.consentChosen, waiting.participating, waiting.waitingForTurn],
      // It learnt from the store: nothing had been delivered to it.
      delivered: b.delivered.length - deliveredBefore,
      connections: connections.size,
      heard,
    }).toEqual({ holder: null, waitingFor: [], state: [consent, chosen, false, false], delivered: 0, connections: 1, heard: forgotten === 1 ? ['forgotten'] : [] });

    // The messages arrive late, and change nothing.
    b.deliverChanges();
    await afterwards();
    expect([waiting.consent, waiting.consentChosen, waiting.participating, heard.length, connections.size]).toEqual([consent, chosen, false, forgotten, 1]);
  });
});
