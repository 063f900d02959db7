import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelUpdate, SharedModel } from '@fedrec/core';
import { createSeededRandomSource } from '@fedrec/core';
import type { TrainingCallback } from '@fedrec/client';
import { createRoundParticipant, privatiseUpdate } from '@fedrec/client';
import type { FedRecServer, FedRecServerOptions } from '@fedrec/server';
import { Resources, nextServerEvent, startServer, syntheticDelta } from './helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

const clipNorm = 0.5;
const noiseMultiplier = 0.7;
const learningRate = 3;
const threshold = 0.5;

function options(modelDir?: string): Partial<FedRecServerOptions> {
  return {
    ...(modelDir !== undefined ? { modelDir } : {}),
    model: { numItems: 20, dim: 3, seed: 'denoise' },
    // Poisson at rate 1 with two clients: both are in every cohort. One round per test phase.
    rounds: { minClients: 2, sampling: { kind: 'poisson', rate: 1 }, minUpdates: 2, cooldownMs: 600_000 },
    optimiser: { kind: 'fedavg', learningRate, denoise: { threshold } },
    privacy: { targetEpsilon: 1_000, delta: 1e-5, clipNorm, noiseMultiplier, placement: 'local' },
  };
}

/**
 * Starts two clients with seeded noise streams and returns, per round, the
 * updates they sent: recomputed here from the same delta and a second copy of
 * each client's stream, with the round's own DP parameters.
 */
function startClients(server: FedRecServer, phase: string): ModelUpdate[][] {
  const sent: ModelUpdate[][] = [];
  for (let index = 0; index < 2; index++) {
    const seed = `${phase}-client-${index}`;
    const mirror = createSeededRandomSource(seed);
    const train: TrainingCallback = ({ model, privacy }) => {
      const delta = syntheticDelta(model.shape, model.version, `${seed}/${model.version}`, 0.2);
      if (privacy === null) throw new Error('expected a DP round');
      const copy = { ...delta, values: Float32Array.from(delta.values) };
      const out = privatiseUpdate({ delta: copy }, { round: privacy, wantsUnclippedBit: false, fallback: undefined, noiseSource: mirror });
      if (!out.ok) throw new Error(out.message);
      (sent[model.version] ??= []).push(out.update);
      return { delta };
    };
    const client = createRoundParticipant({ url: server.address!.url, token: server.issueToken({ clientId: seed }).token, train, noiseSource: createSeededRandomSource(seed) });
    resources.add(() => client.stop());
    client.start();
  }
  return sent;
}

/** The server's arithmetic redone by hand: D += η·mean, σ² += (η·σ_mean)², release initial + shrink(D). */
class Reference {
  readonly displacement: Float64Array;
  noiseVariance = 0;

  constructor(readonly initial: SharedModel) {
    this.displacement = new Float64Array(initial.values.length);
  }

  apply(updates: readonly ModelUpdate[]): Float32Array {
    const n = updates.length;
    const mean = new Float64Array(this.displacement.length);
    for (const update of updates) for (let i = 0; i < mean.length; i++) mean[i]! += update.values[i]!;
    for (let i = 0; i < mean.length; i++) mean[i]! *= 1 / n;
    // Local placement: each of the n clients added N(0, (zC)²), so the mean carries √n·zC / n.
    const meanNoiseStd = Math.sqrt(n * (noiseMultiplier * clipNorm) ** 2) / n;
    for (let i = 0; i < mean.length; i++) this.displacement[i]! += learningRate * mean[i]!;
    this.noiseVariance += (learningRate * meanNoiseStd) ** 2;
    return this.release();
  }

  release(): Float32Array {
    const { numItems, dim } = this.initial.shape;
    const d = this.displacement;
    const cutoff = threshold * Math.sqrt(this.noiseVariance);
    const out = new Float32Array(d.length);
    for (let item = 0; item < numItems; item++) {
      let squares = 0;
      for (let j = 0; j < dim; j++) squares += d[item * dim + j]! ** 2;
      const norm = Math.sqrt(squares);
      const rowCutoff = cutoff * Math.sqrt(dim);
      const keep = norm > rowCutoff ? 1 - rowCutoff / norm : 0;
      for (let j = 0; j < dim; j++) out[item * dim + j] = this.initial.values[item * dim + j]! + keep * d[item * dim + j]!;
    }
    const base = numItems * dim;
    let mean = 0;
    for (let item = 0; item < numItems; item++) mean += d[base + item]!;
    mean /= numItems;
    for (let item = 0; item < numItems; item++) {
      const offset = d[base + item]! - mean;
      out[base + item] = this.initial.values[base + item]! + mean + Math.sign(offset) * Math.max(0, Math.abs(offset) - cutoff);
    }
    return out;
  }
}

function rowsAtInitial(values: Float32Array, initial: SharedModel): number {
  let count = 0;
  for (let item = 0; item < initial.shape.numItems; item++) {
    const dim = initial.shape.dim;
    if (values.subarray(item * dim, (item + 1) * dim).every((x, j) => x === initial.values[item * dim + j])) count++;
  }
  return count;
}

describe('server with optimiser.denoise', () => {
  it('serves initial + shrink(η·mean), thresholded at the noise the clients added', async () => {
    const server = await startServer(resources, options());
    const initial = server.model();
    const reference = new Reference({ ...initial, values: Float32Array.from(initial.values) });
    const applied = nextServerEvent(server, 'roundClosed');
    const sent = startClients(server, 'one');
    expect(await applied).toMatchObject({ outcome: 'applied', accepted: 2, modelVersion: 1 });
    const expected = reference.apply(sent[0]!);
    const served = server.model();
    expect(served.version).toBe(1);
    expect(Array.from(served.values)).toEqual(Array.from(expected));
    // The threshold bites: some rows stay at their initial value, others move.
    const still = rowsAtInitial(served.values, initial);
    expect(still).toBeGreaterThan(0);
    expect(still).toBeLessThan(initial.shape.numItems);
  });

  it('checkpoints the raw sum: a restarted server serves the same model and its next round continues bit for bit', async () => {
    const modelDir = await resources.tempDir('fedrec-denoise-');
    const firstRun = new Resources();
    const first = await startServer(firstRun, options(modelDir));
    const initial = first.model();
    const reference = new Reference({ ...initial, values: Float32Array.from(initial.values) });
    // Published (what first.model() returns) once its checkpoint is durable and the round has closed.
    const written = nextServerEvent(first, 'roundClosed', ({ outcome, modelVersion }) => outcome === 'applied' && modelVersion === 1);
    const firstSent = startClients(first, 'before');
    await written;
    const beforeClose = first.model();
    expect(Array.from(beforeClose.values)).toEqual(Array.from(reference.apply(firstSent[0]!)));
    await firstRun.cleanup();
    const names = (await readdir(modelDir)).filter((name) => name.endsWith('.fckpt'));
    const newest = await readFile(join(modelDir, names.sort().at(-1)!));
    // Optimiser scalars (the noise variance) need checkpoint format 2.
    expect(new DataView(newest.buffer, newest.byteOffset).getUint32(8, true)).toBe(2);

    const second = await startServer(resources, options(modelDir));
    const resumed = second.model();
    expect(resumed.version).toBe(1);
    expect(Buffer.from(resumed.values.buffer).equals(Buffer.from(beforeClose.values.buffer))).toBe(true);
    const applied = nextServerEvent(second, 'roundClosed');
    const secondSent = startClients(second, 'after');
    expect(await applied).toMatchObject({ outcome: 'applied', accepted: 2, modelVersion: 2 });
    // Round 2 moves the restored D and thresholds at the restored σ accumulated over both rounds.
    expect(Array.from(second.model().values)).toEqual(Array.from(reference.apply(secondSent[1]!)));
  });
});
