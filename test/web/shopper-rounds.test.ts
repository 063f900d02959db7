import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { HEADER_BYTES, PrivacyLedger, createSeededRandomSource, l2Norm } from '@fedrec/core';
import { createClient, createMemoryStore } from '@fedrec/client';
import type { FedRecServerOptions } from '@fedrec/server';
import { Resources, nextServerEvent, nextShopperEvent, startServer } from './helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());
beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

const DELTA = 1e-5;
const Z = 2;
const CLIP = 0.5;

/** One shopper is enough for a round: q = 1 Poisson sampling, one update applies. */
function dpServer(overrides: Partial<FedRecServerOptions> = {}): FedRecServerOptions {
  return {
    model: { numItems: 30, dim: 4, seed: 'shopper-rounds' },
    rounds: { minClients: 1, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 1, timeoutMs: 30_000 },
    privacy: { targetEpsilon: 1000, delta: DELTA, clipNorm: CLIP, noiseMultiplier: Z, placement: 'local' },
    ...overrides,
  };
}

function epsilonAfter(rounds: number): number {
  const ledger = new PrivacyLedger();
  ledger.record({ samplingRate: 1, noiseMultiplier: Z, steps: rounds });
  return ledger.epsilon(DELTA).epsilon;
}

async function contributingShopper(url: string, personalBudget = { epsilon: 100 }) {
  const storage = createMemoryStore();
  const shopper = await createClient({
    serverUrl: url,
    storage,
    consent: 'contribute',
    personalBudget,
    random: createSeededRandomSource('negatives'),
    transport: { reconnect: { initialDelayMs: 20, maxDelayMs: 200 } },
  });
  resources.add(() => shopper.close());
  return { shopper, storage };
}

describe('ShopperClient against a real aggregation server', () => {
  it('joins rounds only with consent `contribute`; its clipped, noised update is applied; the ledger is charged with q = 1', async () => {
    const server = await startServer(resources, dpServer({ rounds: { minClients: 1, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 1, cooldownMs: 600_000 } }));
    const url = server.address!.url;
    const storage = createMemoryStore();
    const shopper = await createClient({ serverUrl: url, storage, consent: 'local', random: createSeededRandomSource('n') });
    resources.add(() => shopper.close());
    await shopper.track({ item: 3, type: 'purchase' });
    await shopper.track({ item: 7, type: 'view' });
    expect(shopper.participating).toBe(false); // `local` never connects
    const before = server.model();
    const applied = nextServerEvent(server, 'roundClosed', (r) => r.outcome === 'applied');
    const sent = nextShopperEvent(shopper, 'updateSent');
    await shopper.setConsent('contribute');
    const { entry } = await sent;
    expect(await applied).toMatchObject({ accepted: 1 });
    const change = Float32Array.from(server.model().values, (x, i) => x - before.values[i]!);
    expect(l2Norm(change)).toBeGreaterThan(0);

    expect(entry).toMatchObject({ clipNorm: CLIP, clientNoiseMultiplier: Z, accountedNoiseMultiplier: Z, placement: 'local', delta: DELTA, sent: true });
    expect(entry.bytes).toBe(HEADER_BYTES + server.model().values.byteLength);
    expect(entry.epsilon).toBe(epsilonAfter(1));
    const report = await shopper.transparency();
    expect(report.updates).toHaveLength(1);
    expect(report.privacy).toMatchObject({ epsilon: epsilonAfter(1), delta: DELTA, rounds: 1 });
    // The ledger is in storage, so a reload keeps counting.
    const reloaded = await createClient({ storage, consent: 'off' });
    expect((await reloaded.transparency()).privacy.epsilon).toBe(epsilonAfter(1));
  });

  it('declines the round that would exceed its personal budget, and keeps ε within it', async () => {
    const server = await startServer(resources, dpServer({ rounds: { minClients: 1, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 1, timeoutMs: 30_000 } }));
    const budget = (epsilonAfter(2) + epsilonAfter(3)) / 2;
    const { shopper } = await contributingShopper(server.address!.url, { epsilon: budget });
    const declined = await nextShopperEvent(shopper, 'roundDeclined');
    expect(declined.reason).toBe('budget');
    const report = await shopper.transparency();
    expect(report.updates.map((u) => u.sent)).toEqual([true, true]);
    expect(report.privacy.epsilon).toBe(epsilonAfter(2));
    expect(report.privacy.epsilon).toBeLessThanOrEqual(budget);
  });

  it('going off withdraws from rounds at once; going back to contribute joins again', async () => {
    const server = await startServer(resources, dpServer({ rounds: { minClients: 1, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 1, cooldownMs: 600_000 } }));
    const connected = nextServerEvent(server, 'clientConnected');
    const { shopper } = await contributingShopper(server.address!.url);
    const { clientId } = await connected;
    const left = nextServerEvent(server, 'clientDisconnected', (e) => e.clientId === clientId);
    await shopper.setConsent('off');
    expect(shopper.participating).toBe(false);
    await left;
    const rejoined = nextServerEvent(server, 'clientConnected');
    await shopper.setConsent('contribute');
    // A fresh enrolment: the server cannot link the two sessions by id.
    expect((await rejoined).clientId).not.toBe(clientId);
  });

  it('a withdrawal while a round is under way takes effect at once: nothing is charged or sent', async () => {
    const server = await startServer(resources, dpServer({ rounds: { minClients: 1, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 1, cooldownMs: 600_000 } }));
    const closed = nextServerEvent(server, 'roundClosed');
    const { shopper } = await contributingShopper(server.address!.url);
    // The device has just agreed to the round; the shopper changes their mind before it trains.
    shopper.once('roundJoined', () => void shopper.setConsent('local'));
    expect(await closed).toMatchObject({ outcome: 'abandoned', accepted: 0 });
    const report = await shopper.transparency();
    expect(report.updates).toEqual([]);
    expect(report.privacy).toMatchObject({ epsilon: 0, rounds: 0 });
  });

  it('declines rounds that carry no DP parameters: it cannot tell what they would cost', async () => {
    const server = await startServer(resources, { ...dpServer(), privacy: undefined });
    const { shopper } = await contributingShopper(server.address!.url);
    expect((await nextShopperEvent(shopper, 'roundDeclined')).reason).toBe('no-privacy');
    expect((await shopper.transparency()).updates).toEqual([]);
  });
});
