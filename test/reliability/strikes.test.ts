import { afterEach, describe, expect, it } from 'vitest';
import type { RejectedMessage, RoundStartMessage } from '@fedrec/core';
import { MessageKind, PROTOCOL_VERSION, ProtocolEvent, RejectReason, encodeUpdate } from '@fedrec/core';
import type { FedRecServer } from '@fedrec/server';
import { Resources, SMALL_SHAPE, nextServerEvent, startServer, syntheticDelta } from '../server/helpers.js';
import { nextSocketEvent, rawAuth, rawSocket } from '../server/raw-socket.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const ready = { v: PROTOCOL_VERSION, kind: MessageKind.ready, eligible: true };

/** Connects with `token`; resolves with the socket once welcomed, or with the refusal if the handshake is refused. */
async function connect(server: FedRecServer, token: string): Promise<{ socket: ReturnType<typeof rawSocket> } | { refused: RejectedMessage }> {
  const socket = rawSocket(server.address!.url, rawAuth(token));
  resources.add(() => void socket.disconnect());
  return new Promise((resolve) => {
    socket.once(ProtocolEvent.welcome, () => resolve({ socket }));
    socket.once('connect_error', (error: Error & { data?: RejectedMessage }) => resolve({ refused: error.data! }));
  });
}

/**
 * Sends up to `count` malformed messages (each a strike), one at a time,
 * stopping when the server disconnects the client. Returns how many were
 * answered as MALFORMED and whether the server struck the client out.
 */
async function misbehave(socket: ReturnType<typeof rawSocket>, count: number): Promise<{ refused: number; struckOut: boolean }> {
  let struckOut = false;
  socket.on(ProtocolEvent.rejected, (message: RejectedMessage) => {
    if (message.reason === RejectReason.TOO_MANY_STRIKES) struckOut = true;
  });
  const gone = nextSocketEvent(socket, 'disconnect').then(() => 'gone' as const);
  let refused = 0;
  for (let i = 0; i < count; i++) {
    const answer = nextSocketEvent(socket, ProtocolEvent.rejected, (message) => (message as RejectedMessage).reason === RejectReason.MALFORMED).then(() => 'refused' as const);
    socket.emit(ProtocolEvent.update, { v: PROTOCOL_VERSION, kind: MessageKind.update, roundId: 'not a number' }, new Uint8Array(8));
    if ((await Promise.race([answer, gone])) === 'gone') return { refused, struckOut };
    refused++;
  }
  socket.disconnect();
  return { refused, struckOut };
}

describe('strikes belong to the client id', () => {
  it('bans a client that spreads its malformed messages over reconnects, and the ban survives a restart', async () => {
    const modelDir = await resources.tempDir('fedrec-strikes-');
    const config = { modelDir, limits: { maxStrikes: 5, strikeBanMs: 600_000 }, auth: { tokenSecret: 'strikes-token-secret-0123456789-abcdef' } };
    const firstRun = new Resources();
    const server = await startServer(firstRun, config);
    const { token } = server.issueToken({ clientId: 'reconnecter' });
    const banned = nextServerEvent(server, 'rejected', ({ reason, stage }) => reason === 'TOO_MANY_STRIKES' && stage === 'message');
    // Four refusals per connection: under the limit on any one socket. Up to 25 reconnects, 100 messages, as the attack did.
    let malformed = 0;
    let connections = 0;
    let struckOut = false;
    for (; connections < 25 && !struckOut; connections++) {
      const attempt = await connect(server, token);
      if ('refused' in attempt) break;
      const result = await misbehave(attempt.socket, 4);
      malformed += result.refused;
      struckOut = result.struckOut;
    }
    expect(struckOut).toBe(true);
    expect(malformed).toBe(5);
    expect(connections).toBe(2);
    await banned;
    const refused = await connect(server, token);
    expect('refused' in refused && refused.refused.reason).toBe(RejectReason.TOO_MANY_STRIKES);
    // Another client id is not affected.
    expect('socket' in (await connect(server, server.issueToken({ clientId: 'bystander' }).token))).toBe(true);
    await firstRun.cleanup();

    const restarted = await startServer(resources, config);
    const again = await connect(restarted, token);
    expect('refused' in again && again.refused.reason).toBe(RejectReason.TOO_MANY_STRIKES);
  });

  it('refuses an update for a round that never opened, or with another model version, as a strike; a late one for a past round is no strike', async () => {
    const server = await startServer(resources, {
      rounds: { minClients: 1, sampling: { kind: 'fixed', size: 1 }, minUpdates: 1, timeoutMs: 30_000 },
      limits: { maxStrikes: 2, strikeBanMs: 600_000 },
    });
    const attempt = await connect(server, server.issueToken({ clientId: 'staler' }).token);
    if (!('socket' in attempt)) throw new Error('expected to connect');
    const { socket } = attempt;
    const invitation = nextSocketEvent(socket, ProtocolEvent.roundStart);
    socket.emit(ProtocolEvent.ready, ready);
    const [start] = (await invitation) as [RoundStartMessage];
    const meta = (roundId: number) => ({ v: PROTOCOL_VERSION, kind: MessageKind.update, roundId });

    // A round from the past is what an honest, slow client sends: refused, no strike.
    for (let i = 0; i < 3; i++) {
      const refused = nextSocketEvent(socket, ProtocolEvent.rejected);
      socket.emit(ProtocolEvent.update, meta(start.roundId - 1), encodeUpdate(syntheticDelta(SMALL_SHAPE, start.modelVersion, 'past')));
      expect(((await refused)[0] as RejectedMessage).reason).toBe(RejectReason.STALE_ROUND);
    }
    // The open round with a model version it does not use: a strike. A round that never opened: another, and out.
    const wrongVersion = nextSocketEvent(socket, ProtocolEvent.rejected);
    socket.emit(ProtocolEvent.update, meta(start.roundId), encodeUpdate(syntheticDelta(SMALL_SHAPE, start.modelVersion + 7, 'wrong-version')));
    expect(((await wrongVersion)[0] as RejectedMessage).reason).toBe(RejectReason.STALE_ROUND);
    const gone = nextSocketEvent(socket, 'disconnect');
    const struckOut = nextSocketEvent(socket, ProtocolEvent.rejected, (message) => (message as RejectedMessage).reason === RejectReason.TOO_MANY_STRIKES);
    socket.emit(ProtocolEvent.update, meta(start.roundId + 1_000), encodeUpdate(syntheticDelta(SMALL_SHAPE, start.modelVersion, 'future')));
    await struckOut;
    await gone;
  });
});
