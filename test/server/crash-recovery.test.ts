import { randomBytes } from 'node:crypto';
import { readdir, truncate, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SharedModel } from '@fedrec/core';
import type { TrainingCallback } from '@fedrec/client';
import { createRoundParticipant } from '@fedrec/client';
import { issueToken, type AppliedRound } from '@fedrec/server';
import { Resources, fetchModel, maxAbsDiff, nextServerEvent, startServer, syntheticDelta } from './helpers.js';
import { ServerProcess } from './server-process.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

describe('durability', () => {
  it('resumes from the last checkpoint, with no loss, after SIGKILL mid-round', async () => {
    const modelDir = await resources.tempDir('fedrec-ckpt-');
    const secret = randomBytes(32).toString('hex');
    const first = ServerProcess.start(modelDir, 0, secret);
    resources.add(() => first.kill('SIGKILL'));
    const { port } = (await first.next((line) => line.event === 'listening')) as unknown as { port: number };
    const url = `http://127.0.0.1:${port}`;
    const { model: initial } = await fetchModel(url);
    expect(initial.version).toBe(0);

    // Every update sent, with the process it was sent to.
    const sent: { phase: 'before' | 'after'; baseVersion: number; values: Float32Array }[] = [];
    let phase: 'before' | 'after' = 'before';
    let release: () => void = () => undefined;
    const withheld = new Promise<null>((resolve) => (release = () => resolve(null)));
    let withholdOnce = true;
    const trainer = (index: number): TrainingCallback => async ({ roundId, model }) => {
      // Client 2 stalls on the third round of the first process: that round stays open, with two updates in.
      if (index === 2 && model.version === 2 && phase === 'before' && withholdOnce) {
        withholdOnce = false;
        return withheld;
      }
      // After the restart, answer only the round that resumes version 2, so the model stays at version 3 to be checked.
      if (phase === 'after' && model.version !== 2) return null;
      const update = syntheticDelta(model.shape, model.version, `${phase}/${index}/${roundId}`);
      sent.push({ phase, baseVersion: model.version, values: update.values });
      return { update };
    };
    for (let index = 0; index < 3; index++) {
      const { token } = issueToken({ secret, clientId: `crash-${index}` });
      const client = createRoundParticipant({ url, token, train: trainer(index), reconnect: { initialDelayMs: 50, maxDelayMs: 400 } });
      resources.add(() => client.stop());
      client.start();
    }

    // Two rounds applied, then two updates into the third.
    await first.next((line) => line.event === 'roundClosed' && line.modelVersion === 2);
    const third = await first.next((line) => line.event === 'roundOpened' && line.modelVersion === 2);
    const acceptedInThird = (line: { event: string; roundId?: unknown }): boolean => line.event === 'updateAccepted' && line.roundId === third.roundId;
    await first.next((line) => acceptedInThird(line) && first.count(acceptedInThird) >= 2);
    const { model: beforeKill } = await fetchModel(url);
    expect(beforeKill.version).toBe(2);

    await first.kill('SIGKILL');
    phase = 'after';
    release();

    const second = ServerProcess.start(modelDir, port, secret);
    resources.add(() => second.kill('SIGKILL'));
    const listening = await second.next((line) => line.event === 'listening');
    expect(listening.modelVersion).toBe(2);
    const { model: resumed } = await fetchModel(url);
    expect(resumed.version).toBe(2);
    expect(Buffer.from(resumed.values.buffer).equals(Buffer.from(beforeKill.values.buffer))).toBe(true);

    // The clients reconnect by themselves and the next round applies on top of the resumed model,
    // with the optimiser's momentum resumed too: check against a replay of all three steps.
    await second.next((line) => line.event === 'roundClosed' && line.modelVersion === 3);
    const { model: after } = await fetchModel(url);
    expect(after.version).toBe(3);
    const replay = Float64Array.from(initial.values);
    const momentum = new Float64Array(replay.length);
    const rounds = [
      sent.filter((u) => u.phase === 'before' && u.baseVersion === 0),
      sent.filter((u) => u.phase === 'before' && u.baseVersion === 1),
      sent.filter((u) => u.phase === 'after' && u.baseVersion === 2),
    ];
    for (const updates of rounds) {
      expect(updates).toHaveLength(3);
      for (let i = 0; i < replay.length; i++) {
        const mean = (updates[0]!.values[i]! + updates[1]!.values[i]! + updates[2]!.values[i]!) / 3;
        momentum[i] = 0.9 * momentum[i]! + mean;
        replay[i] = Math.fround(replay[i]! + 0.5 * momentum[i]!);
      }
    }
    expect(maxAbsDiff(after.values, replay)).toBeLessThan(1e-6);
    // SIGTERM is a clean shutdown: the open round is finished or abandoned, and the process exits 0.
    await second.kill('SIGTERM');
    expect({ code: second.child.exitCode, signal: second.child.signalCode, stderr: second.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  });

  it('falls back to the previous checkpoint when the newest is truncated', async () => {
    const modelDir = await resources.tempDir('fedrec-ckpt-');
    const options = {
      modelDir,
      rounds: { minClients: 2, sampling: { kind: 'fixed' as const, size: 2 }, minUpdates: 2 },
      checkpoints: { keep: 5 },
    };
    const firstRun = new Resources();
    // The privacy ledger's state rides in the same checkpoint as the model it accounts for.
    const ledger = { snapshot: (round: AppliedRound) => ({ format: 'test-ledger', lastRound: round.roundId, modelVersion: round.modelVersion }) };
    const server = await startServer(firstRun, { ...options, privacyLedger: ledger });
    const versions = new Map<number, SharedModel>();
    // A version is published (and so what server.model() returns) once its round closes, after its checkpoint.
    server.events.on('roundClosed', ({ outcome, modelVersion }) => {
      if (outcome === 'applied') versions.set(modelVersion, server.model());
    });
    const third = nextServerEvent(server, 'checkpointWritten', ({ modelVersion }) => modelVersion === 3);
    const trainer: TrainingCallback = ({ roundId, model }) => ({ update: syntheticDelta(model.shape, model.version, `t/${roundId}/${Math.random()}`) });
    for (let index = 0; index < 2; index++) {
      const { token } = server.issueToken({ clientId: `t-${index}` });
      const client = createRoundParticipant({ url: server.address!.url, token, train: trainer });
      firstRun.add(() => client.stop());
      client.start();
    }
    const { file } = await third;
    await firstRun.cleanup(); // stops clients and server (which may checkpoint a later round first)

    const names = (await readdir(modelDir)).filter((name) => name.endsWith('.fckpt')).sort();
    const newest = join(modelDir, names[names.length - 1]!);
    const newestVersion = Number(/checkpoint-(\d+)/.exec(newest)![1]);
    expect(newestVersion).toBeGreaterThanOrEqual(3);
    expect(file.endsWith('checkpoint-0000000003.fckpt')).toBe(true);
    await truncate(newest, (await stat(newest)).size - 100);

    const restored: unknown[] = [];
    const restarted = await startServer(resources, { ...options, modelDir, privacyLedger: { snapshot: () => null, restore: (state) => restored.push(state) } });
    const resumed = restarted.model();
    expect(resumed.version).toBe(newestVersion - 1);
    expect(restored).toEqual([{ format: 'test-ledger', lastRound: expect.any(Number), modelVersion: newestVersion - 1 }]);
    expect(Buffer.from(resumed.values.buffer).equals(Buffer.from(versions.get(newestVersion - 1)!.values.buffer))).toBe(true);
    await restarted.close();
  });
});
