import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../storage/memory-store.js';
import { createInProcessTabs, type InProcessTab } from '../test-support/in-process-tabs.js';
import type { RoundParticipant } from '../rounds/round-participant.js';
import { ParticipantSlot } from './participant-slot.js';

/** Everything here is promise-driven and in memory: one macrotask turn lets all of it run. */
const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function deferred<T = void>(): { readonly promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A slot on one tab's lock, recording what happens to it in `log`. */
function slotOn(tab: InProcessTab, log: string[]): { slot: ParticipantSlot; take(admit?: () => Promise<void>): void } {
  const slot = new ParticipantSlot(tab.store.participantLock, {
    onError: (error) => log.push(`${tab.name}: error ${error instanceof Error ? error.message : String(error)}`),
    onWait: () => log.push(`${tab.name}: waiting`),
  });
  const start = (): RoundParticipant => {
    log.push(`${tab.name}: started`);
    return { stop: () => log.push(`${tab.name}: stopped`) } as unknown as RoundParticipant;
  };
  return { slot, take: (admit) => slot.take(start, admit) };
}

describe('ParticipantSlot', () => {
  it('is placed once the lock has answered its request, so a client told only then queues behind it, whatever the lock’s latency', async () => {
    const tabs = createInProcessTabs(createMemoryStore());
    const [a, b] = [tabs.tab('a'), tabs.tab('b')];
    const log: string[] = [];
    // a's request reaches the lock late (as happens between browser tabs under load).
    const arrive = deferred();
    a.gateLockRequests(arrive.promise);
    const slotA = slotOn(a, log);
    slotA.take();
    let placed = false;
    void slotA.slot.placed.then(() => {
      placed = true;
    });
    await settled();
    expect([placed, tabs.holder]).toEqual([false, null]);

    arrive.resolve();
    await slotA.slot.placed;
    expect(tabs.holder).toBe('a');
    // Told now, b claims too and waits its turn.
    const slotB = slotOn(b, log);
    slotB.take();
    await slotB.slot.placed;
    await settled();
    expect({ holder: tabs.holder, waiting: tabs.waiting, bWaiting: slotB.slot.waiting, log }).toEqual({ holder: 'a', waiting: ['b'], bWaiting: true, log: ['a: started', 'b: waiting'] });
    // Without a claim there is nothing to wait for.
    await expect(new ParticipantSlot(undefined, { onError: () => {}, onWait: () => {} }).placed).resolves.toBeUndefined();
  });

  it('leave(handOver) stops the participant at once but hands the lock on only when handOver settles; the next holder is admitted before it starts', async () => {
    const tabs = createInProcessTabs(createMemoryStore());
    const log: string[] = [];
    const slotA = slotOn(tabs.tab('a'), log);
    const slotB = slotOn(tabs.tab('b'), log);
    slotA.take();
    await settled();
    slotB.take(async () => {
      log.push(`b: admitted while ${tabs.holder ?? 'nobody'} holds the lock`);
    });
    await settled();

    const durable = deferred();
    slotA.slot.leave(durable.promise);
    await settled();
    expect({ holder: tabs.holder, aClaimed: slotA.slot.claimed, aParticipant: slotA.slot.participant }).toEqual({ holder: 'a', aClaimed: false, aParticipant: null });
    expect(log).toEqual(['a: started', 'b: waiting', 'a: stopped']);

    durable.resolve();
    await settled();
    expect(tabs.holder).toBe('b');
    expect(log.slice(3)).toEqual(['b: admitted while b holds the lock', 'b: started']);
    expect(slotB.slot.waiting).toBe(false);
  });

  it('hands the lock on after a handOver that fails, too', async () => {
    const tabs = createInProcessTabs(createMemoryStore());
    const log: string[] = [];
    const slotA = slotOn(tabs.tab('a'), log);
    slotA.take();
    await settled();
    const write = deferred();
    slotA.slot.leave(write.promise);
    write.reject(new Error('disk full'));
    await settled();
    expect(tabs.holder).toBeNull();
  });

  it('a client that leaves while it is being admitted never starts, and the lock goes on once its hand-over settles', async () => {
    const tabs = createInProcessTabs(createMemoryStore());
    const log: string[] = [];
    const slotA = slotOn(tabs.tab('a'), log);
    const slotB = slotOn(tabs.tab('b'), log);
    const durable = deferred();
    slotA.take(async () => {
      // What admission finds in the store (a deletion made elsewhere) makes this client leave.
      slotA.slot.leave(durable.promise);
    });
    await settled();
    slotB.take();
    await settled();
    expect({ holder: tabs.holder, log }).toEqual({ holder: 'a', log: ['b: waiting'] });
    durable.resolve();
    await settled();
    expect({ holder: tabs.holder, log }).toEqual({ holder: 'b', log: ['b: waiting', 'b: started'] });
  });

  it('a failed admission reports the error, starts nothing and gives the lock up at once', async () => {
    const tabs = createInProcessTabs(createMemoryStore());
    const log: string[] = [];
    const slotA = slotOn(tabs.tab('a'), log);
    slotA.take(() => Promise.reject(new Error('store unreadable')));
    await settled();
    expect({ holder: tabs.holder, claimed: slotA.slot.claimed, log }).toEqual({ holder: null, claimed: false, log: ['a: error store unreadable'] });
  });

  it('a claim given up while queued leaves the queue, and one given up before its request arrived never holds the lock', async () => {
    const tabs = createInProcessTabs(createMemoryStore());
    const [a, b, c] = [tabs.tab('a'), tabs.tab('b'), tabs.tab('c')];
    const log: string[] = [];
    const slotA = slotOn(a, log);
    const slotB = slotOn(b, log);
    const slotC = slotOn(c, log);
    slotA.take();
    await settled();
    slotB.take();
    await slotB.slot.placed;
    expect(tabs.waiting).toEqual(['b']);
    slotB.slot.leave();
    expect(tabs.waiting).toEqual([]);

    const arrive = deferred();
    c.gateLockRequests(arrive.promise);
    slotC.take();
    slotC.slot.leave();
    await slotC.slot.placed;
    arrive.resolve();
    slotA.slot.leave();
    await settled();
    expect({ holder: tabs.holder, waiting: tabs.waiting, log }).toEqual({ holder: null, waiting: [], log: ['a: started', 'b: waiting', 'a: stopped'] });
  });
});
