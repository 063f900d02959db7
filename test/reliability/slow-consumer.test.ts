import { afterEach, describe, expect, it } from 'vitest';
import type { RejectionEvent, RoundClosedInfo } from '@fedrec/server';
import { Resources, nextServerEvent, recordingTrainer, startClients, startServer, type RecordedUpdate } from '../server/helpers.js';
import { StalledClient } from './stalled-client.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

describe('a client that stops reading', () => {
  it('is disconnected once more than limits.maxBufferedBytes is queued for it, and the rounds go on without it', async () => {
    // 1.28 MB per invitation: loopback's socket buffers take a few, then the server's own queues grow
    // up to the default bound, 4 invitations' worth (5.1 MB).
    const shape = { numItems: 20_000, dim: 15 };
    const server = await startServer(resources, {
      model: { ...shape, seed: 'slow-consumer' },
      // Everyone connected is invited every round; a round closes once both honest clients have answered.
      rounds: { minClients: 2, sampling: { kind: 'fixed', size: 10 }, minUpdates: 2, targetUpdates: 2, timeoutMs: 30_000 },
    });
    const url = server.address!.url;
    const rejections: RejectionEvent[] = [];
    server.events.on('rejected', (rejection) => rejections.push(rejection));

    // The honest pair trains first; the stalled client joins the cohort from the next round on.
    const firstRound = nextServerEvent(server, 'roundClosed');
    const log: RecordedUpdate[] = [];
    startClients(resources, server, 2, (index) => recordingTrainer(index, log));
    await firstRound;
    const dropped = nextServerEvent(server, 'rejected', ({ reason }) => reason === 'SLOW_CONSUMER');
    const left = nextServerEvent(server, 'clientDisconnected', ({ clientId }) => clientId === 'stalled');
    const stalled = await StalledClient.connect(url, server.issueToken({ clientId: 'stalled' }).token);
    resources.add(() => stalled.close());
    stalled.stopReading();

    expect(await dropped).toEqual({ clientId: 'stalled', roundId: null, reason: 'SLOW_CONSUMER', stage: 'delivery' });
    await left;
    expect(stalled.received).toContain('fedrec:welcome');

    // The honest clients keep training: three more rounds, each applied with both of their updates.
    const droppedAtVersion = server.status().model.version;
    const closed: RoundClosedInfo[] = [];
    server.events.on('roundClosed', (round) => closed.push(round));
    await nextServerEvent(server, 'roundClosed', ({ modelVersion }) => modelVersion >= droppedAtVersion + 3);
    const applied = closed.filter((round) => round.outcome === 'applied');
    expect(applied.length).toBeGreaterThanOrEqual(3);
    for (const round of applied) expect(round.accepted).toBe(2);

    const status = server.status();
    expect(status.clients.connected).toBe(2);
    expect(status.updates.rejected.SLOW_CONSUMER).toBe(1);
    // Only the stalled client was dropped: the honest ones read what they are sent.
    expect(rejections.filter(({ reason }) => reason === 'SLOW_CONSUMER').map(({ clientId }) => clientId)).toEqual(['stalled']);
  });
});
