import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RejectedMessage, RoundClosedMessage, RoundStartMessage } from '@fedrec/core';
import { MessageKind, PROTOCOL_VERSION, ProtocolEvent, RejectReason, encodeUpdate, parameterCount } from '@fedrec/core';
import { decodeCheckpoint } from '@fedrec/server';
import { Resources, SMALL_SHAPE, fetchModel, nextServerEvent, startClients, startServer, syntheticDelta } from '../server/helpers.js';
import { collect, nextSocketEvent, rawAuth, rawSocket } from '../server/raw-socket.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const ready = { v: PROTOCOL_VERSION, kind: MessageKind.ready, eligible: true };
const FLOAT32_MAX = 3.4028234663852886e38;

interface Poisoner {
  readonly rejected: RejectedMessage[];
  readonly invited: Promise<unknown[]>;
  readonly socket: ReturnType<typeof rawSocket>;
  /** Resolves once the server has answered the poisoner's update for `roundId` (so honest members answer after it, and the round is still open for it). */
  answered(roundId: number): Promise<void>;
}

/** A cohort member that answers every invitation with an update whose every value is ±FLOAT32_MAX: finite, right shape. */
function poisoner(url: string, token: string): Poisoner {
  const socket = rawSocket(url, rawAuth(token));
  resources.add(() => void socket.disconnect());
  const invited = nextSocketEvent(socket, ProtocolEvent.roundStart);
  const answers = new Map<number, { promise: Promise<void>; resolve: () => void }>();
  const answer = (roundId: number): { promise: Promise<void>; resolve: () => void } => {
    let entry = answers.get(roundId);
    if (entry === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      entry = { promise, resolve };
      answers.set(roundId, entry);
    }
    return entry;
  };
  const onAnswer = (message: { roundId: number | null }): void => {
    if (message.roundId !== null) answer(message.roundId).resolve();
  };
  socket.on(ProtocolEvent.rejected, onAnswer);
  socket.on(ProtocolEvent.updateAccepted, onAnswer);
  socket.on('connect', () => socket.emit(ProtocolEvent.ready, ready));
  socket.on(ProtocolEvent.roundStart, (start: RoundStartMessage) => {
    const values = Float32Array.from({ length: parameterCount(SMALL_SHAPE) }, (_, i) => (i % 2 === 0 ? FLOAT32_MAX : -FLOAT32_MAX));
    socket.emit(ProtocolEvent.update, { v: PROTOCOL_VERSION, kind: MessageKind.update, roundId: start.roundId }, encodeUpdate({ shape: SMALL_SHAPE, baseVersion: start.modelVersion, values }));
  });
  return { rejected: collect(socket, ProtocolEvent.rejected) as RejectedMessage[], invited, socket, answered: (roundId) => answer(roundId).promise };
}

describe('one cohort member cannot poison the model', () => {
  it('refuses ±3.4e38 updates as NORM_TOO_LARGE without DP; honest rounds go on and every checkpoint loads', async () => {
    const modelDir = await resources.tempDir('fedrec-poison-');
    const server = await startServer(resources, {
      modelDir,
      rounds: { minClients: 3, sampling: { kind: 'fixed', size: 3 }, minUpdates: 2, targetUpdates: 2, timeoutMs: 30_000 },
      limits: { maxStrikes: 1_000, maxUpdateNorm: 10 },
    });
    const url = server.address!.url;
    const attacker = poisoner(url, server.issueToken({ clientId: 'attacker' }).token);
    const closed = collect(attacker.socket, ProtocolEvent.roundClosed) as RoundClosedMessage[];
    const third = nextServerEvent(server, 'roundClosed', ({ outcome, modelVersion }) => outcome === 'applied' && modelVersion === 3);
    startClients(resources, server, 2, (index) => async ({ roundId, model }) => {
      await attacker.answered(roundId);
      return { update: syntheticDelta(model.shape, model.version, `${index}/${roundId}`) };
    });
    await third;

    expect(attacker.rejected.length).toBeGreaterThanOrEqual(3);
    for (const refusal of attacker.rejected) expect(refusal.reason).toBe(14); // NORM_TOO_LARGE
    expect(closed.every((round) => round.accepted === 2)).toBe(true);
    const { model } = await fetchModel(url);
    expect(model.values.every(Number.isFinite)).toBe(true);
    expect(Math.max(...model.values.map(Math.abs))).toBeLessThan(10);
    // Every checkpoint written is one the loader accepts.
    for (const name of (await readdir(modelDir)).filter((file) => file.endsWith('.fckpt'))) {
      const bytes = new Uint8Array(await readFile(join(modelDir, name)));
      expect(decodeCheckpoint(bytes).model.values.every(Number.isFinite)).toBe(true);
    }
  });

  it('bounds updates by the round\'s clip norm plus what its noise can add (local DP): an honest noised update passes, a poisoned one does not', async () => {
    const clipNorm = 0.5;
    const noiseMultiplier = 1;
    const server = await startServer(resources, {
      rounds: { minClients: 3, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 2, targetUpdates: 2, timeoutMs: 30_000 },
      limits: { maxStrikes: 1_000 },
      privacy: { targetEpsilon: 1_000, delta: 1e-5, clipNorm, noiseMultiplier, placement: 'local' },
    });
    const url = server.address!.url;
    const attacker = poisoner(url, server.issueToken({ clientId: 'attacker' }).token);
    const applied = nextServerEvent(server, 'roundClosed', ({ outcome }) => outcome === 'applied');
    // The honest clients return raw deltas: the transport clips them to C and adds N(0, (zC)²) as the round says.
    startClients(resources, server, 2, (index) => async ({ roundId, model }) => {
      await attacker.answered(roundId);
      return { delta: syntheticDelta(model.shape, model.version, `${index}/${roundId}`) };
    });
    const [start] = (await attacker.invited) as [RoundStartMessage];
    expect(start.privacy).toMatchObject({ clipNorm, clientNoiseMultiplier: noiseMultiplier });
    expect(await applied).toMatchObject({ accepted: 2 });
    expect(attacker.rejected.map((refusal) => refusal.reason)).toEqual([14]);
    expect(RejectReason.NORM_TOO_LARGE).toBe(14);
    expect(server.model().values.every(Number.isFinite)).toBe(true);
  });
});
