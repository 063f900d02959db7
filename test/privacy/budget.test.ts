import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PrivacySpend } from '@fedrec/core';
import { MessageKind, PROTOCOL_VERSION, PrivacyLedger, ProtocolEvent, createSharedModel, encodeUpdate, epsilonForMechanisms } from '@fedrec/core';
import type { RoundParticipant, RoundParticipantEvents } from '@fedrec/client';
import { createRoundParticipant } from '@fedrec/client';
import type { FedRecServer, FedRecServerOptions, ServerStatus } from '@fedrec/server';
import { CheckpointStore, createServer, updateByteLength } from '@fedrec/server';
import { Resources, SMALL_SHAPE, fetchModel, nextClientEvent, nextServerEvent, startServer, syntheticDelta } from '../server/helpers.js';
import { nextSocketEvent, rawAuth, rawSocket } from '../server/raw-socket.js';

const resources = new Resources();
const dirs: string[] = [];
afterEach(async () => {
  await resources.cleanup();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const TARGET = 1.5;
const DELTA = 1e-5;
const CLIP = 0.5;
const tokenSecret = 'privacy-budget-test-secret-0123456789abcdef';

function options(modelDir: string, cooldownMs: number): Partial<FedRecServerOptions> {
  return {
    modelDir,
    auth: { tokenSecret, operatorKey: OPERATOR_KEY },
    // q = 1 and every client required: each round is the same three shoppers, so the run is deterministic.
    rounds: { minClients: 3, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 3, timeoutMs: 30_000, cooldownMs },
    // The least z that affords exactly three rounds at q = 1.
    privacy: { targetEpsilon: TARGET, delta: DELTA, clipNorm: CLIP, noiseMultiplier: 'calibrate', plannedRounds: 3 },
  };
}

interface Recorded {
  readonly client: RoundParticipant;
  readonly sent: RoundParticipantEvents['updateSent'][];
  readonly closed: RoundParticipantEvents['roundClosed'][];
  readonly exhausted: RoundParticipantEvents['budgetExhausted'][];
}

/** Three clients that answer every round with a raw synthetic delta, which the transport clips and noises. */
function startShoppers(set: Resources, server: FedRecServer, run: string): Recorded[] {
  return [0, 1, 2].map((index) => {
    const { token } = server.issueToken({ clientId: `shopper-${index}` });
    const client = createRoundParticipant({
      url: server.address!.url,
      token,
      train: ({ roundId, model }) => ({ delta: syntheticDelta(model.shape, model.version, `${run}/${index}/${roundId}`, 0.3) }),
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    });
    const recorded: Recorded = { client, sent: [], closed: [], exhausted: [] };
    client.on('updateSent', (e) => recorded.sent.push(e));
    client.on('roundClosed', (e) => recorded.closed.push(e));
    client.on('budgetExhausted', (e) => recorded.exhausted.push(e));
    set.add(() => client.stop());
    client.start();
    return recorded;
  });
}

const OPERATOR_KEY = 'operator-key-for-budget-tests';

/** The operator's view: the public one shows only spend, not the round parameters. */
async function httpStatus(server: FedRecServer): Promise<ServerStatus> {
  const response = await fetch(new URL('/status', server.address!.url), { headers: { authorization: `Bearer ${OPERATOR_KEY}` } });
  return (await response.json()) as ServerStatus;
}

describe('privacy budget', () => {
  it('stops at the target ε, freezes the model, tells everyone, and keeps the ledger across restarts', async () => {
    const modelDir = await mkdtemp(join(tmpdir(), 'fedrec-privacy-'));
    dirs.push(modelDir);

    // Run 1: one round (a long cooldown keeps the second from opening), then a clean stop.
    const run1 = new Resources();
    const first = await startServer(run1, options(modelDir, 600_000));
    const z = first.config.privacy!.noiseMultiplier;
    const applied = nextServerEvent(first, 'roundClosed', (r) => r.outcome === 'applied');
    startShoppers(run1, first, 'run1');
    expect(await applied).toMatchObject({ roundId: 1, modelVersion: 1, privacy: { budgetExhausted: false, targetEpsilon: TARGET, delta: DELTA } });
    const afterOne = first.status().privacy!;
    expect(afterOne).toMatchObject({ roundsAccounted: 1, budgetExhausted: false, roundsRemaining: 2 });
    await run1.cleanup();

    // Run 2: the restored ledger reports the same ε before anything else happens, then the budget runs out.
    const second = await startServer(resources, options(modelDir, 0));
    expect(second.config.privacy!.noiseMultiplier).toBe(z);
    expect(second.status().privacy).toMatchObject({ epsilonSpent: afterOne.epsilonSpent, roundsAccounted: 1, roundsRemaining: 2 });
    const exhausted = nextServerEvent(second, 'budgetExhausted');
    const shoppers = startShoppers(resources, second, 'run2');
    const told = shoppers.map((s) => nextClientEvent(s.client, 'budgetExhausted'));
    const spend: PrivacySpend = await exhausted;
    await Promise.all(told);

    // ε spent within the target, and one more round would exceed it (checked with an independent ledger).
    const ledger = new PrivacyLedger();
    ledger.record({ samplingRate: 1, noiseMultiplier: z, steps: 3 });
    expect(spend).toEqual({ epsilonSpent: ledger.epsilon(DELTA).epsilon, targetEpsilon: TARGET, delta: DELTA, budgetExhausted: true });
    expect(spend.epsilonSpent).toBeLessThanOrEqual(TARGET);
    expect(ledger.wouldExceed({ samplingRate: 1, noiseMultiplier: z }, TARGET, DELTA)).toBe(true);

    // GET /status says so.
    const status = await httpStatus(second);
    expect(status.rounds.applied).toBe(2);
    expect(status.model.version).toBe(3);
    expect(status.round.current).toBeNull();
    expect(status.privacy).toEqual({
      epsilonSpent: spend.epsilonSpent,
      delta: DELTA,
      targetEpsilon: TARGET,
      noiseMultiplier: z,
      updateNoiseMultiplier: z,
      clientNoiseMultiplier: z,
      samplingRate: 1,
      clipNorm: CLIP,
      placement: 'local',
      simulationMode: false,
      perUpdateEpsilon: epsilonForMechanisms({ mechanisms: [{ samplingRate: 1, noiseMultiplier: z, steps: 1 }], delta: DELTA }).epsilon,
      roundsAccounted: 3,
      accountant: 'rdp',
      roundsRemaining: 0,
      budgetExhausted: true,
      adaptiveClipping: null,
    });

    const afterTwo = new PrivacyLedger();
    afterTwo.record({ samplingRate: 1, noiseMultiplier: z, steps: 2 });
    expect(afterOne.epsilonSpent).toBeLessThan(afterTwo.epsilon(DELTA).epsilon);
    // Clients saw ε grow with every round closed, clipped and noised as told, and were told once that it ran out.
    for (const shopper of shoppers) {
      expect(shopper.closed.map((c) => [c.roundId, c.privacy?.epsilonSpent])).toEqual([
        [2, afterTwo.epsilon(DELTA).epsilon],
        [3, spend.epsilonSpent],
      ]);
      expect(shopper.sent).toHaveLength(2);
      for (const sent of shopper.sent) {
        expect(sent.bytes).toBe(updateByteLength(SMALL_SHAPE));
        expect(sent.privacy).toMatchObject({ source: 'round', placement: 'local', clipNorm: CLIP, noiseMultiplier: z, sigma: z * CLIP, accountedNoiseMultiplier: z, samplingRate: 1, delta: DELTA });
      }
      expect(shopper.exhausted).toEqual([{ ...spend, modelVersion: 3 }]);
    }

    // Frozen: the model is still served, and an update has no round to go into.
    const served = await fetchModel(second.address!.url);
    expect(served.headerVersion).toBe(3);
    expect(Array.from(served.model.values)).toEqual(Array.from(second.model().values));
    const { token } = second.issueToken({ clientId: 'late-raw' });
    const raw = rawSocket(second.address!.url, rawAuth(token));
    resources.add(() => void raw.disconnect());
    const [welcome] = await nextSocketEvent(raw, ProtocolEvent.welcome);
    expect(welcome).toMatchObject({ privacy: { budgetExhausted: true, epsilonSpent: spend.epsilonSpent } });
    const rejected = nextSocketEvent(raw, ProtocolEvent.rejected);
    const late = encodeUpdate(syntheticDelta(SMALL_SHAPE, 3, 'late'));
    raw.emit(ProtocolEvent.update, { v: PROTOCOL_VERSION, kind: MessageKind.update, roundId: 4 }, late);
    expect((await rejected)[0]).toMatchObject({ roundId: 4, message: expect.stringMatching(/not open/) });
    expect(second.model().version).toBe(3);
    await resources.cleanup();

    // Run 3: restarted on an exhausted ledger: same ε, still frozen, and a newcomer is told on connecting.
    const third = await startServer(resources, options(modelDir, 0));
    expect(third.status().privacy).toMatchObject({ epsilonSpent: spend.epsilonSpent, roundsAccounted: 3, budgetExhausted: true });
    expect(third.model().version).toBe(3);
    const [newcomer] = startShoppers(resources, third, 'run3');
    expect(await nextClientEvent(newcomer!.client, 'budgetExhausted')).toEqual({ ...spend, modelVersion: 3 });
    expect(newcomer!.client.privacyBudget).toEqual(spend);
    await resources.cleanup();

    // Starting without privacy on a checkpoint that carries a ledger would train on unaccounted: refused.
    const { privacy: _dropped, ...withoutPrivacy } = options(modelDir, 0);
    const unaccounted = createServer({ host: '127.0.0.1', port: 0, model: { ...SMALL_SHAPE, seed: 'test' }, ...withoutPrivacy, rounds: { minClients: 3 } });
    resources.add(() => unaccounted.close());
    await expect(unaccounted.listen()).rejects.toMatchObject({ name: 'ServerError', code: 'PRIVACY_LEDGER_CONFLICT' });
  });

  it('refuses to resume a checkpoint whose privacy ledger is corrupt, naming the first bad field', async () => {
    const modelDir = await mkdtemp(join(tmpdir(), 'fedrec-budget-corrupt-'));
    dirs.push(modelDir);
    const ledger = { format: 'fedrec.privacy-ledger', version: 1, orders: [2, 4], entries: [{ samplingRate: 1, noiseMultiplier: 'lots', steps: 1 }] };
    const store = new CheckpointStore(modelDir, 3);
    await store.init();
    await store.write({
      model: createSharedModel(SMALL_SHAPE, { seed: 'corrupt-ledger' }),
      optimiser: { kind: 'fedavg', step: 0, arrays: {} },
      lastRoundId: null,
      nextRoundId: 1,
      privacyLedger: { format: 'fedrec.server-privacy', version: 1, ledger, clipNorm: CLIP, external: null },
      createdAt: new Date().toISOString(),
    });
    const server = createServer({ host: '127.0.0.1', port: 0, ...options(modelDir, 0) });
    resources.add(() => server.close());
    await expect(server.listen()).rejects.toMatchObject({
      name: 'ServerError',
      code: 'PRIVACY_LEDGER_CONFLICT',
      issues: [{ path: 'ledger.entries.0.noiseMultiplier', message: expect.any(String) }],
      message: expect.stringContaining('field ledger.entries.0.noiseMultiplier'),
    });
  });
});
