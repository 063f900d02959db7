import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createMemoryStore, type ShopperClient, type ShopperClientEvents } from '@fedrec/client';
import type { FedRecServer, FedRecServerOptions } from '@fedrec/server';
import { Resources, nextServerEvent, startServer } from './helpers.js';

/*
 * Issue 16, point 8: the server publishes a privacy notice generated from its
 * configuration; a shopper's `contribute` is recorded with the notice version
 * it was given under, and when a restarted server publishes another version
 * (here: another ε), the client asks again and sends nothing until the
 * shopper chooses again. Real servers on 127.0.0.1, real clients.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const resources = new Resources();
afterEach(() => resources.cleanup());

// Recent, so that the default 90-day retention keeps them.
const T = Date.now() - 3_600_000;

/** Every eligible client in every round (q = 1), with enough noise that many rounds fit the budget. */
function privateServer(modelDir: string, targetEpsilon: number, port = 0): Partial<FedRecServerOptions> {
  return {
    modelDir,
    port,
    privacy: { targetEpsilon, delta: 1e-5, clipNorm: 0.5, noiseMultiplier: 10 },
    rounds: { minClients: 1, minUpdates: 1, sampling: { kind: 'poisson', rate: 1 }, timeoutMs: 10_000, cooldownMs: 100 },
  };
}

function nextShopperEvent<K extends keyof ShopperClientEvents>(shopper: ShopperClient, event: K, match: (payload: ShopperClientEvents[K]) => boolean = () => true): Promise<ShopperClientEvents[K]> {
  return new Promise((resolve) => {
    const listener = (payload: ShopperClientEvents[K]): void => {
      if (!match(payload)) return;
      shopper.off(event, listener);
      resolve(payload);
    };
    shopper.on(event, listener);
  });
}

async function shopperWithHistory(serverUrl: string, consent: 'off' | 'contribute', storage = createMemoryStore()): Promise<ShopperClient> {
  const shopper = await createClient({ serverUrl, storage, consent });
  resources.add(() => shopper.close());
  return shopper;
}

async function appliedRounds(server: FedRecServer, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await nextServerEvent(server, 'roundClosed', (info) => info.outcome === 'applied');
}

describe('consent and the privacy notice', () => {
  it('a server restarted with another ε publishes another notice: the shopper is asked again and sends nothing until they choose again', async () => {
    const modelDir = await resources.tempDir('fedrec-notice-');
    const first = await startServer(resources, privateServer(modelDir, 3));
    const { url, port } = first.address!;

    const storage = createMemoryStore();
    const shopper = await shopperWithHistory(url, 'off', storage);
    // The banner shows the notice, then the shopper chooses.
    const v1 = await shopper.refreshPrivacyNotice();
    expect(v1.differentialPrivacy).toMatchObject({ epsilon: 3, delta: 1e-5, accountant: 'rdp' });
    expect(shopper.consentNeeded).toBe(true);
    await shopper.setConsent('contribute');
    expect([shopper.consentNoticeVersion, shopper.consentNeeded]).toEqual([v1.version, false]);
    expect(await storage.readRecord('consent')).toEqual({ level: 'contribute', noticeVersion: v1.version, time: expect.any(Number) });
    for (const item of [1, 2, 3]) await shopper.track({ item, type: 'purchase', time: T + item });
    await nextShopperEvent(shopper, 'updateSent');
    const sentUnderV1 = (await shopper.transparency()).updates.length;

    // The operator raises ε and restarts the server on the same address (same model directory: same ledger and token secret).
    await first.close();
    const asked = nextShopperEvent(shopper, 'consentNeeded');
    const second = await startServer(resources, privateServer(modelDir, 4, port));
    const { notice, consentedUnder } = await asked;
    expect(notice.differentialPrivacy?.epsilon).toBe(4);
    expect(notice.version).not.toBe(v1.version);
    expect(consentedUnder).toBe(v1.version);
    expect([shopper.consentNeeded, shopper.consent, shopper.consentChosen, shopper.participating]).toEqual([true, 'contribute', true, false]);
    expect((await shopper.transparency()).notice).toEqual({ version: notice.version, consentedUnder: v1.version });

    // Rounds go on with another device (the shop's default, not tied to a notice); this shopper's device sends nothing.
    let sentMeanwhile = 0;
    shopper.on('updateSent', () => (sentMeanwhile += 1));
    const other = await shopperWithHistory(second.address!.url, 'contribute');
    for (const item of [4, 5, 6]) await other.track({ item, type: 'purchase', time: T + item });
    await appliedRounds(second, 2);
    expect(sentMeanwhile).toBe(0);
    expect((await shopper.transparency()).updates).toHaveLength(sentUnderV1);
    // Local history and on-device recommendations carry on under the level chosen.
    expect(await shopper.track({ item: 7, type: 'view', time: T + 7 })).toBe(true);

    // The shopper chooses again, under the new notice: contributions resume.
    await shopper.setConsent('contribute');
    expect([shopper.consentNoticeVersion, shopper.consentNeeded]).toEqual([notice.version, false]);
    await nextShopperEvent(shopper, 'updateSent');
  });

  it('a consent stored before notices (a bare level) reads as given under none: a stored contribute is asked again, and nothing is sent', async () => {
    const server = await startServer(resources, privateServer(await resources.tempDir('fedrec-notice-'), 3));
    const storage = createMemoryStore();
    await storage.writeRecord('consent', 'contribute');
    const opened = nextServerEvent(server, 'clientConnected');
    const shopper = await createClient({ serverUrl: server.address!.url, storage, consent: 'off' });
    resources.add(() => shopper.close());
    expect([shopper.consent, shopper.consentChosen, shopper.consentNoticeVersion]).toEqual(['contribute', true, null]);
    const { notice, consentedUnder } = await nextShopperEvent(shopper, 'consentNeeded');
    expect(consentedUnder).toBeNull();
    expect(shopper.privacyNotice).toEqual(notice);
    expect([shopper.consentNeeded, shopper.participating]).toEqual([true, false]);
    // It never connected for rounds: the notice is checked before.
    const connected = await Promise.race([opened.then(() => true), shopper.refreshPrivacyNotice().then(() => false)]);
    expect(connected).toBe(false);
    expect(server.status().clients.connected).toBe(0);
  });
});
