import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PrivacyLedger } from '@fedrec/core';
import type { FedRecServer, FedRecServerOptions } from '@fedrec/server';
import { tfjsCoreOnly, zodEnglishOnly } from '../../scripts/build-client-bundle.js';
import { openBundledSite, type BundledSite } from './browser.js';
import { Resources, nextServerEvent, startServer } from './helpers.js';
import type { ShopperTab, TabDiagnostics } from './shopper-tab-page.js';

/*
 * One browser, several tabs of one shop (one profile, so one IndexedDB):
 * the device must behave as one participant with one ε ledger, and a
 * deletion or a consent change in one tab must hold in all of them. Real
 * Chromium, a real @fedrec/server on 127.0.0.1 (reached through the page's
 * own origin), nothing mocked; each tab runs `shopper-tab-page.ts`.
 */

const resources = new Resources();

/** What a failing test leaves behind to read: every tab's state and the server's, gathered before anything is closed. */
const watched: { tabs: Tab[]; servers: { server: FedRecServer; timeline: unknown[] }[] } = { tabs: [], servers: [] };

afterEach(async (context) => {
  try {
    if (context.task.result?.state === 'fail') await reportFailure(context.task.name);
  } finally {
    watched.tabs = [];
    watched.servers = [];
    await resources.cleanup();
  }
});

/**
 * Where each tab stood when the test failed: its event log, hold and Web
 * Locks, and a JavaScript stack (paused over CDP, with async frames), plus
 * the server's status and what it emitted. Printed and written to a file in
 * the OS temp dir, so a flake that happens once in many runs can be read.
 */
async function reportFailure(name: string): Promise<void> {
  const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T | string> =>
    Promise.race([promise, new Promise<string>((resolve) => setTimeout(() => resolve(`no answer within ${ms} ms`), ms))]);
  const tabs = await Promise.all(
    watched.tabs.map(async (tab, index) => {
      if (tab.page.isClosed()) return { index, closed: true };
      const diagnostics = await withTimeout(tab.call('diagnostics').catch((error: unknown) => String(error)) as Promise<TabDiagnostics | string>, 5_000);
      const stack = await withTimeout(pausedStack(tab.page).catch((error: unknown) => String(error)), 5_000);
      return { index, diagnostics, stack, errors: tab.errors };
    }),
  );
  const servers = watched.servers.map(({ server, timeline }) => ({ status: server.status(), timeline }));
  const report = JSON.stringify({ test: name, tabs, servers }, null, 2);
  const file = join(tmpdir(), `fedrec-multi-tab-failure-${Date.now()}.json`);
  writeFileSync(file, report);
  console.error(`multi-tab failure diagnostics (${file}):\n${report}`);
}

/** The page's JavaScript stack at the next statement it runs (CDP `Debugger.pause`), async frames included. */
async function pausedStack(page: Page): Promise<unknown> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Debugger.enable');
    await cdp.send('Debugger.setAsyncCallStackDepth', { maxDepth: 32 });
    const paused = new Promise<unknown>((resolve) => {
      cdp.once('Debugger.paused', (event) => {
        const frames = (list: readonly { functionName: string; url: string; location: { lineNumber: number; columnNumber?: number } }[]): string[] =>
          list.map((f) => `${f.functionName || '<anonymous>'} ${f.url.replace(/^.*\//, '')}:${f.location.lineNumber + 1}:${(f.location.columnNumber ?? 0) + 1}`);
        const asyncParts: { description?: string; callFrames: { functionName: string; url: string; lineNumber: number; columnNumber: number }[] }[] = [];
        for (let trace = event.asyncStackTrace; trace !== undefined; trace = trace.parent) asyncParts.push(trace);
        resolve({
          reason: event.reason,
          callFrames: frames(event.callFrames),
          async: asyncParts.map((t) => ({ description: t.description, frames: t.callFrames.map((f) => `${f.functionName || '<anonymous>'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`) })),
        });
      });
    });
    await cdp.send('Debugger.pause');
    // An idle page pauses only when it next runs something (a timer, a socket message): give it a moment.
    const result = await Promise.race([paused, new Promise<string>((resolve) => setTimeout(() => resolve('idle: nothing ran within 2 s'), 2_000))]);
    await cdp.send('Debugger.resume').catch(() => undefined);
    return result;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

const DELTA = 1e-5;
const Z = 2;
const STORE = 'shop';

function dpServer(rounds: Partial<NonNullable<FedRecServerOptions['rounds']>> = {}): Partial<FedRecServerOptions> {
  return {
    model: { numItems: 30, dim: 4, seed: 'multi-tab' },
    rounds: { minClients: 1, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 1, timeoutMs: 30_000, ...rounds },
    privacy: { targetEpsilon: 1000, delta: DELTA, clipNorm: 0.5, noiseMultiplier: Z, placement: 'local' },
  };
}

function epsilonAfter(rounds: number): number {
  const ledger = new PrivacyLedger();
  ledger.record({ samplingRate: 1, noiseMultiplier: Z, steps: rounds });
  return ledger.epsilon(DELTA).epsilon;
}

/** Who the server sees: the most clients connected at once, and whose updates it accepted. */
function watchServer(server: FedRecServer): { readonly maxConnected: () => number; readonly accepted: string[]; readonly everConnected: Set<string> } {
  const connected = new Set<string>();
  const everConnected = new Set<string>();
  const accepted: string[] = [];
  let max = 0;
  const timeline: unknown[] = [];
  watched.servers.push({ server, timeline });
  const started = Date.now();
  for (const event of ['roundOpened', 'roundClosed', 'updateAccepted', 'rejected', 'clientConnected', 'clientDisconnected'] as const) {
    server.events.on(event, (payload: unknown) => timeline.push({ at: Date.now() - started, event, payload }));
  }
  server.events.on('clientConnected', ({ clientId }) => {
    connected.add(clientId);
    everConnected.add(clientId);
    max = Math.max(max, connected.size);
  });
  server.events.on('clientDisconnected', ({ clientId }) => connected.delete(clientId));
  server.events.on('updateAccepted', ({ clientId }) => accepted.push(clientId));
  return { maxConnected: () => max, accepted, everConnected };
}

interface Tab {
  readonly page: Page;
  readonly errors: string[];
  call<K extends keyof ShopperTab>(name: K, ...args: Parameters<ShopperTab[K]>): Promise<Awaited<ReturnType<ShopperTab[K]>>>;
}

const ENTRY = `import './test/web/shopper-tab-page.ts';`;

async function openShop(server: FedRecServer): Promise<BundledSite> {
  const address = server.address!;
  const site = await openBundledSite(ENTRY, 'shopperTab', { plugins: [tfjsCoreOnly, zodEnglishOnly], proxyTo: { host: address.host, port: address.port } });
  resources.add(() => site.close());
  return site;
}

async function openTab(site: BundledSite, options: Parameters<ShopperTab['open']>[0]): Promise<Tab> {
  const { page, errors } = await site.openTab();
  const tab: Tab = {
    page,
    errors,
    call: (name, ...args) =>
      page.evaluate(
        ([n, a]) => {
          const api = (globalThis as unknown as { shopperTab: Record<string, (...xs: unknown[]) => unknown> }).shopperTab;
          return api[n as string]!(...(a as unknown[]));
        },
        [name, args] as const,
      ) as never,
  };
  watched.tabs.push(tab);
  await tab.call('open', options);
  return tab;
}

describe('several tabs of one shop in Chromium', () => {
  it('are one participant: one client on the server at a time, the device’s ε within its budget, the same figures in every tab', async () => {
    const server = await startServer(resources, dpServer());
    const watch = watchServer(server);
    const site = await openShop(server);
    // Three rounds fit in the budget, a fourth does not: for the device, not for each tab.
    const budgetEpsilon = (epsilonAfter(3) + epsilonAfter(4)) / 2;
    const tabs: Tab[] = [];
    for (let i = 0; i < 3; i++) tabs.push(await openTab(site, { store: STORE, consent: 'local', budgetEpsilon }));
    // All three open before the first round (as when a browser restores its tabs); the shopper opts in.
    await Promise.all(tabs.map((tab) => tab.call('setConsent', 'contribute')));

    // Whichever tab takes part declines the round that would go over the budget.
    const participant = await Promise.any(tabs.map(async (tab) => (await tab.call('waitForLog', 'roundDeclined', { reason: 'budget' }, 45_000), tab)));
    const roles = await Promise.all(tabs.map(async (tab) => ({ participating: (await tab.call('state')).participating, waitingForTurn: (await tab.call('state')).waitingForTurn })));

    // Closing the participating tab hands its place to another, which finds the device's ledger spent.
    const others = tabs.filter((tab) => tab !== participant);
    await participant.page.close();
    await Promise.any(others.map((tab) => tab.call('waitForLog', 'roundDeclined', { reason: 'budget' }, 45_000)));
    const reports = await Promise.all(others.map((tab) => tab.call('transparency')));

    expect({
      clientsAtOnce: watch.maxConnected(),
      clientsInAll: watch.everConnected.size,
      updatesAccepted: watch.accepted.length,
      senders: new Set(watch.accepted).size,
      roles,
      roundsInEachTab: reports.map((report) => report.privacy.rounds),
    }).toEqual({
      clientsAtOnce: 1,
      clientsInAll: 2, // the first participant, then the tab that took over
      updatesAccepted: 3,
      senders: 1,
      roles: tabs.map((tab) => ({ participating: tab === participant, waitingForTurn: tab !== participant })),
      roundsInEachTab: [3, 3],
    });
    for (const report of reports) {
      expect(report.privacy).toMatchObject({ epsilon: epsilonAfter(3), delta: DELTA, rounds: 3 });
      expect(report.privacy.epsilon).toBeLessThanOrEqual(budgetEpsilon);
      expect(report.updates.map((u) => u.sent)).toEqual([true, true, true]);
      expect(report).toEqual(reports[0]);
    }
    // The tabs that did not take part heard of every change, so a dashboard there refreshes.
    for (const tab of others) expect((await tab.call('state')).log.filter((e) => e.event === 'privacyChanged').length).toBeGreaterThanOrEqual(3);
    for (const tab of others) expect(tab.errors).toEqual([]);
  });

  // With the tabs told at once (BroadcastChannel), and with nothing but the store's own checks: each alone must hold.
  it.each([
    { how: 'told over BroadcastChannel', coordinate: true },
    { how: 'caught by the store alone', coordinate: false },
  ])('“Delete my data” in one tab holds in the tab that was training ($how): nothing written back, nothing sent, consent off there too', async ({ coordinate }) => {
    const server = await startServer(resources, dpServer({ cooldownMs: 600_000 }));
    const watch = watchServer(server);
    const site = await openShop(server);
    const training = await openTab(site, { store: STORE, consent: 'local', budgetEpsilon: 100, coordinate });
    const deleting = await openTab(site, { store: STORE, consent: 'local', budgetEpsilon: 100, coordinate });
    expect(await training.call('track', 1, 'view')).toBe(true);
    expect(await deleting.call('track', 2, 'purchase')).toBe(true);

    // The training tab joins a round and stops, mid-training, with the history read.
    await training.call('holdNextRound');
    const opened = nextServerEvent(server, 'roundOpened');
    await training.call('setConsent', 'contribute');
    await opened;
    await training.call('whenHeld');

    await deleting.call('forget');
    expect(await deleting.call('storedContents', STORE)).toEqual({ events: [], records: [] });

    // The training tab finishes its round, and the shopper clicks and looks at recommendations there.
    const after = await training.call('actAfterForgetElsewhere', 3);
    expect(after).toEqual({ tracked: false, personalised: false });
    expect(await deleting.call('storedContents', STORE)).toEqual({ events: [], records: [] });
    expect(watch.accepted).toEqual([]);
    // Only the training tab ever connected: the place was not handed to a tab that had not heard of the deletion.
    expect(watch.everConnected.size).toBe(1);

    const state = await training.call('state');
    expect([state.consent, state.consentChosen, state.participating]).toEqual(['off', false, false]);
    expect(state.log.map((e) => e.event)).toContain('forgotten');
    const report = await training.call('transparency');
    expect(report.stored).toMatchObject({ events: 0, userVector: false });
    expect(report.updates).toEqual([]);
    expect(report.privacy).toMatchObject({ epsilon: 0, rounds: 0 });
    expect(training.errors).toEqual([]);
    expect(deleting.errors).toEqual([]);
  });

  it('a consent change in one tab applies in every tab at once: the participant withdraws, the others stop storing', async () => {
    const server = await startServer(resources, dpServer({ cooldownMs: 600_000 }));
    const site = await openShop(server);
    const first = await openTab(site, { store: STORE, consent: 'off', budgetEpsilon: 100 });
    const second = await openTab(site, { store: STORE, consent: 'off', budgetEpsilon: 100 });

    const connected = nextServerEvent(server, 'clientConnected');
    await first.call('setConsent', 'contribute');
    const { clientId } = await connected;
    await second.call('waitForLog', 'consentChanged', { consent: 'contribute', chosen: true });
    // The server counts the client before the client has its welcome: wait for that too.
    await first.call('waitForLog', 'participationChanged', { participating: true });
    await second.call('waitForLog', 'participationChanged', { waitingForTurn: true });

    const left = nextServerEvent(server, 'clientDisconnected', (e) => e.clientId === clientId);
    await second.call('setConsent', 'local');
    await first.call('waitForLog', 'consentChanged', { consent: 'local', chosen: true });
    await left;
    expect(await first.call('state')).toMatchObject({ consent: 'local', participating: false });

    await second.call('setConsent', 'off');
    await first.call('waitForLog', 'consentChanged', { consent: 'off', chosen: true });
    expect(await first.call('track', 4, 'view')).toBe(false);
    expect((await first.call('storedContents', STORE)).events).toEqual([]);
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
  });
});
