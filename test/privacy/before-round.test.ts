import { afterEach, describe, expect, it } from 'vitest';
import type { RoundParticipantEvents, RoundParticipantOptions } from '@fedrec/client';
import { createRoundParticipant } from '@fedrec/client';
import type { RejectionEvent } from '@fedrec/server';
import { Resources, nextServerEvent, startServer, syntheticDelta } from '../server/helpers.js';

/** The hook's argument (its type is exported from the transport; derived here so the test needs only the package's public names). */
type RoundInvitation = Parameters<NonNullable<RoundParticipantOptions['beforeRound']>>[0];

const resources = new Resources();
afterEach(() => resources.cleanup());

describe('beforeRound', () => {
  it('a client whose hook declines sends nothing for the round, as if not sampled, and reports no error', async () => {
    const server = await startServer(resources, {
      // Nobody can tell a declining client from a slow one, so the round waits for its deadline.
      rounds: { minClients: 4, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 2, timeoutMs: 1_500, cooldownMs: 600_000 },
      privacy: { targetEpsilon: 10, delta: 1e-5, clipNorm: 1, noiseMultiplier: 1 },
    });
    const invitations: RoundInvitation[] = [];
    const hooks: ((round: RoundInvitation) => boolean | Promise<boolean>)[] = [
      () => true,
      async () => true,
      // Declines, e.g. a personal ε budget spent.
      async (round) => {
        invitations.push(round);
        return false;
      },
      // A hook that fails declines too, and says why.
      () => {
        throw new Error('storage unavailable');
      },
    ];
    const accepted: string[] = [];
    const rejected: RejectionEvent[] = [];
    server.events.on('updateAccepted', ({ clientId }) => accepted.push(clientId));
    server.events.on('rejected', (e) => rejected.push(e));
    const closed = nextServerEvent(server, 'roundClosed');
    const seen = hooks.map(() => ({ declined: [] as RoundParticipantEvents['roundDeclined'][], started: 0, sent: 0, errors: [] as string[] }));
    hooks.forEach((beforeRound, index) => {
      const client = createRoundParticipant({
        url: server.address!.url,
        token: server.issueToken({ clientId: `c-${index}` }).token,
        beforeRound,
        train: ({ roundId, model }) => ({ delta: syntheticDelta(model.shape, model.version, `before/${index}/${roundId}`) }),
      });
      client.on('roundDeclined', (e) => seen[index]!.declined.push(e));
      client.on('roundStarted', () => seen[index]!.started++);
      client.on('updateSent', () => seen[index]!.sent++);
      client.on('error', (e) => seen[index]!.errors.push(e.code));
      resources.add(() => client.stop());
      client.start();
    });

    expect(await closed).toMatchObject({ roundId: 1, outcome: 'applied', cause: 'deadline', accepted: 2, cohortSize: 4 });
    expect(accepted.sort()).toEqual(['c-0', 'c-1']);
    expect(rejected).toEqual([]);
    // The hook saw the round's DP parameters.
    expect(invitations).toEqual([
      {
        roundId: 1,
        modelVersion: 0,
        timeoutMs: 1_500,
        wantsExampleCount: false,
        privacy: { clipNorm: 1, placement: 'local', clientNoiseMultiplier: 1, accountedNoiseMultiplier: 1, samplingRate: 1, delta: 1e-5 },
      },
    ]);
    expect(seen.map((s) => ({ declined: s.declined.map((d) => d.roundId), started: s.started, sent: s.sent, errors: s.errors }))).toEqual([
      { declined: [], started: 1, sent: 1, errors: [] },
      { declined: [], started: 1, sent: 1, errors: [] },
      { declined: [1], started: 0, sent: 0, errors: [] },
      { declined: [1], started: 0, sent: 0, errors: ['BEFORE_ROUND_FAILED'] },
    ]);
  });
});
