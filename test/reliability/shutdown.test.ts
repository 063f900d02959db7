import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrainingCallback } from '@fedrec/client';
import { createRoundParticipant } from '@fedrec/client';
import { CheckpointStore, issueToken } from '@fedrec/server';
import { Resources, syntheticDelta } from '../server/helpers.js';
import { ServerProcess } from '../server/server-process.js';
import { StalledClient } from './stalled-client.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

/** Long enough for a hang to show, far beyond what a bounded shutdown takes. */
const EXIT_WAIT_MS = 20_000;

/** Both clients are invited every round and the round waits for both, so one that never answers keeps it open. */
const OPEN_ROUND_CONFIG = { rounds: { minClients: 2, sampling: { kind: 'fixed', size: 2 }, minUpdates: 1, timeoutMs: 600_000 } };

/** The server in a child process, with one round open and one update in it (the other member is still "training"). */
async function serverWithOpenRound(config: Record<string, unknown>, second: 'training' | 'stalled'): Promise<{ server: ServerProcess; port: number; modelDir: string; roundId: number }> {
  const modelDir = await resources.tempDir('fedrec-shutdown-');
  const secret = randomBytes(32).toString('hex');
  const server = ServerProcess.start(modelDir, 0, secret, { ...OPEN_ROUND_CONFIG, ...config });
  resources.add(() => server.kill('SIGKILL'));
  const { port } = (await server.next((line) => line.event === 'listening')) as unknown as { port: number };
  const url = `http://127.0.0.1:${port}`;

  const answers: TrainingCallback = ({ roundId, model }) => ({ update: syntheticDelta(model.shape, model.version, `answers/${roundId}`) });
  const client = createRoundParticipant({ url, token: issueToken({ secret, clientId: 'answers' }).token, train: answers, reconnect: { initialDelayMs: 50, maxDelayMs: 400 } });
  resources.add(() => client.stop());
  client.start();
  if (second === 'training') {
    const never = new Promise<null>(() => undefined);
    const training = createRoundParticipant({ url, token: issueToken({ secret, clientId: 'training' }).token, train: () => never, reconnect: { initialDelayMs: 50, maxDelayMs: 400 } });
    resources.add(() => training.stop());
    training.start();
  } else {
    const stalled = await StalledClient.connect(url, issueToken({ secret, clientId: 'stalled' }).token);
    resources.add(() => stalled.close());
    stalled.stopReading();
  }
  const opened = await server.next((line) => line.event === 'roundOpened');
  await server.next((line) => line.event === 'updateAccepted' && line.roundId === opened.roundId);
  return { server, port, modelDir, roundId: Number(opened.roundId) };
}

/** A request that has sent its request line and one header, and never the blank line that ends the headers. */
async function halfSentRequest(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  resources.add(() => void socket.destroy());
  await once(socket, 'connect');
  socket.write('GET /status HTTP/1.1\r\nHost: x\r\n');
  return socket;
}

async function exitWithin(server: ServerProcess, ms: number): Promise<[number | null, NodeJS.Signals | null]> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the server had not exited ${ms} ms after SIGTERM`)), ms)));
  try {
    return (await Promise.race([server.exited, hung])) as [number | null, NodeJS.Signals | null];
  } finally {
    clearTimeout(timer);
  }
}

async function newestCheckpointRound(modelDir: string): Promise<number | null> {
  const latest = await new CheckpointStore(modelDir, 3).loadLatest();
  return latest?.data.lastRoundId ?? null;
}

describe('shutdown', () => {
  it('SIGTERM exits 0 despite half-sent HTTP requests, after finishing and checkpointing the open round', async () => {
    const { server, port, modelDir, roundId } = await serverWithOpenRound({}, 'training');
    const requests = await Promise.all([halfSentRequest(port), halfSentRequest(port), halfSentRequest(port)]);
    // The server has seen them: a complete request on a fourth connection is answered after they were accepted.
    const status = await fetch(`http://127.0.0.1:${port}/status`);
    expect(status.status).toBe(200);

    server.child.kill('SIGTERM');
    const [code] = await exitWithin(server, EXIT_WAIT_MS);
    expect(code).toBe(0);
    const closed = await server.next((line) => line.event === 'roundClosed' && line.roundId === roundId);
    expect(closed).toMatchObject({ outcome: 'applied', cause: 'shutdown' });
    expect(await newestCheckpointRound(modelDir)).toBe(roundId);
    // And the half-sent requests were closed, not left hanging.
    await Promise.all(requests.map((socket) => (socket.closed ? null : once(socket, 'close'))));
  });

  it('SIGTERM exits 0 by shutdownTimeoutMs when a client neither reads nor closes, with the round checkpointed', async () => {
    const { server, port, modelDir, roundId } = await serverWithOpenRound({ shutdownTimeoutMs: 1_000 }, 'stalled');
    await halfSentRequest(port);

    server.child.kill('SIGTERM');
    // Without the deadline the stalled WebSocket holds the process until ws's 30 s closing-handshake timer.
    const [code] = await exitWithin(server, EXIT_WAIT_MS);
    expect(code).toBe(0);
    expect(await server.next((line) => line.event === 'roundClosed' && line.roundId === roundId)).toMatchObject({ outcome: 'applied', cause: 'shutdown' });
    expect(await newestCheckpointRound(modelDir)).toBe(roundId);
  });
});
