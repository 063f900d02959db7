import { describe, expect, it } from 'vitest';
import { PrivacyLedger } from '@fedrec/core';
import { ShopperClientError } from '../shopper/shopper-client-error.js';
import { createMemoryStore } from '../storage/memory-store.js';
import type { ShopperStore, StoredPrivacy } from '../storage/shopper-store.js';
import { chargeStoredLedger, loadPersonalBudget, markUpdateSent } from './stored-ledger.js';
import type { UpdateLogEntry } from './update-log-entry.js';

const DELTA = 1e-5;
const Z = 1.5;
const PRIVACY = { accountedNoiseMultiplier: Z, delta: DELTA };

function epsilonAfter(rounds: number): number {
  const ledger = new PrivacyLedger();
  ledger.record({ samplingRate: 1, noiseMultiplier: Z, steps: rounds });
  return ledger.epsilon(DELTA).epsilon;
}

function charge(store: ShopperStore, roundId: number, budgetEpsilon: number, generation = 0): Promise<UpdateLogEntry> {
  return chargeStoredLedger(store, {
    budgetEpsilon,
    privacy: PRIVACY,
    guard: { generation, purpose: 'contributing', defaultConsent: 'contribute' },
    entry: ({ epsilon, delta }) => ({ roundId, time: 0, bytes: 100, clipNorm: 1, clientNoiseMultiplier: Z, accountedNoiseMultiplier: Z, placement: 'local', epsilon, delta, sent: false }),
  });
}

describe('the personal ledger in the store', () => {
  it('charges durably, one round at a time, and refuses the round that would go over the budget (BUDGET_EXCEEDED, nothing written)', async () => {
    const store = createMemoryStore();
    const budget = (epsilonAfter(2) + epsilonAfter(3)) / 2;
    await charge(store, 1, budget);
    await charge(store, 2, budget);
    const before = await store.readRecord('privacy');
    await expect(charge(store, 3, budget)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(await store.readRecord('privacy')).toEqual(before);
    const { budget: stored, updates } = await loadPersonalBudget(store, budget);
    expect([stored.rounds, stored.epsilon]).toEqual([2, epsilonAfter(2)]);
    expect(updates.map((u) => u.roundId)).toEqual([1, 2]);
  });

  it('charges made at once by several clients (tabs) never take the device past its budget', async () => {
    const store = createMemoryStore();
    const budget = (epsilonAfter(3) + epsilonAfter(4)) / 2;
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => charge(store, i + 1, budget)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect((await loadPersonalBudget(store, budget)).budget.epsilon).toBe(epsilonAfter(3));
  });

  it('charges nothing under a generation from before a clear(), and marks only a stored entry sent', async () => {
    const store = createMemoryStore();
    await charge(store, 7, 100);
    expect(await markUpdateSent(store, 7, 4242, { generation: 0 })).toMatchObject({ roundId: 7, bytes: 4242, sent: true });
    const generation = await store.clear();
    await expect(charge(store, 8, 100, 0)).rejects.toMatchObject({ code: 'STORE_FORGOTTEN' });
    await expect(markUpdateSent(store, 7, 1, { generation: 0 })).rejects.toMatchObject({ code: 'STORE_FORGOTTEN' });
    expect(await markUpdateSent(store, 7, 1, { generation })).toBeNull();
    expect(await store.readRecord('privacy')).toBeUndefined();
  });

  it('refuses to charge over an unreadable ledger (STORAGE_CORRUPT) rather than start it afresh', async () => {
    const store = createMemoryStore();
    await store.writeRecord('privacy', { ledger: { format: 'nonsense' }, delta: null, updates: [] } as never);
    await expect(charge(store, 1, 100)).rejects.toMatchObject({ code: 'STORAGE_CORRUPT', path: 'privacy.ledger.format' });
  });

  it('names the first bad field of a corrupt stored record, never its value, and charges nothing', async () => {
    const store = createMemoryStore();
    await charge(store, 1, 100);
    const good = (await store.readRecord('privacy')) as StoredPrivacy;
    const secret = 'shopper-42-bought-x';
    const corrupt: [unknown, string][] = [
      ['text', 'privacy'],
      [{ ...good, delta: 2 }, 'privacy.delta'],
      [{ ...good, updates: {} }, 'privacy.updates'],
      [{ ...good, updates: [{ ...good.updates[0], epsilon: secret }] }, 'privacy.updates.0.epsilon'],
      [{ ...good, ledger: { ...good.ledger, entries: [{ samplingRate: secret, noiseMultiplier: 1, steps: 1 }] } }, 'privacy.ledger.entries.0.samplingRate'],
      [{ ...good, ledger: { ...good.ledger, orders: [] } }, 'privacy.ledger.orders'],
      [{ delta: good.delta, updates: good.updates }, 'privacy.ledger'],
    ];
    for (const [record, path] of corrupt) {
      await store.writeRecord('privacy', record as never);
      const refusal = charge(store, 2, 100);
      await expect(refusal).rejects.toThrow(ShopperClientError);
      await expect(refusal).rejects.toMatchObject({ code: 'STORAGE_CORRUPT', path, message: expect.stringContaining(`field ${path} is invalid`) });
      await expect(refusal).rejects.toMatchObject({ message: expect.not.stringContaining(secret) });
      expect(await store.readRecord('privacy')).toEqual(record);
    }
  });
});
