import { afterEach, describe, expect, it } from 'vitest';
import type { OptimiserConfig } from '@fedrec/server';
import { Resources, SMALL_SHAPE, fetchModel, maxAbsDiff, nextServerEvent, recordingTrainer, startClients, startServer, type RecordedUpdate } from './helpers.js';

const resources = new Resources();
afterEach(() => resources.cleanup());

/** The mean of one round's updates, weighted, in float64: computed here, independently of the server. */
function meanOf(updates: readonly RecordedUpdate[], weightOf: (u: RecordedUpdate) => number): Float64Array {
  const length = updates[0]!.values.length;
  const mean = new Float64Array(length);
  let total = 0;
  for (const u of updates) {
    const w = weightOf(u);
    total += w;
    for (let i = 0; i < length; i++) mean[i]! += w * u.values[i]!;
  }
  for (let i = 0; i < length; i++) mean[i]! /= total;
  return mean;
}

/** The server optimisers' equations, written out again for the test. */
function referenceOptimiser(config: OptimiserConfig, length: number): (params: Float64Array, mean: Float64Array) => void {
  const m = new Float64Array(length);
  const v = new Float64Array(length);
  if (config.kind === 'fedadam') v.fill(config.tau ** 2);
  return (params, mean) => {
    for (let i = 0; i < length; i++) {
      const d = mean[i]!;
      if (config.kind === 'fedavg') {
        params[i]! += config.learningRate * d;
      } else if (config.kind === 'fedavgm') {
        m[i] = config.momentum * m[i]! + d;
        params[i]! += config.learningRate * m[i]!;
      } else {
        m[i] = config.beta1 * m[i]! + (1 - config.beta1) * d;
        v[i] = config.beta2 * v[i]! + (1 - config.beta2) * d * d;
        params[i]! += (config.learningRate * m[i]!) / (Math.sqrt(v[i]!) + config.tau);
      }
    }
  };
}

describe('a round with real clients', () => {
  const optimisers: OptimiserConfig[] = [
    { kind: 'fedavg', learningRate: 0.7 },
    { kind: 'fedavgm', learningRate: 0.5, momentum: 0.8 },
    { kind: 'fedadam', learningRate: 0.05, beta1: 0.85, beta2: 0.95, tau: 0.01 },
  ];

  it.each(optimisers)('applies $kind to the exact mean of the submitted updates, round after round', async (optimiser) => {
    const server = await startServer(resources, {
      optimiser,
      rounds: { minClients: 3, sampling: { kind: 'fixed', size: 3 }, minUpdates: 3, timeoutMs: 20_000 },
    });
    const initial = server.model();
    const snapshots = new Map<number, Float32Array>();
    server.events.on('roundClosed', (round) => {
      if (round.outcome === 'applied') snapshots.set(round.modelVersion, server.model().values);
    });
    const secondRound = nextServerEvent(server, 'roundClosed', (round) => round.outcome === 'applied' && round.modelVersion === 2);
    const log: RecordedUpdate[] = [];
    startClients(resources, server, 3, (index) => recordingTrainer(index, log));
    const closed = await secondRound;
    expect(closed.accepted).toBe(3);

    const step = referenceOptimiser(server.config.optimiser, initial.values.length);
    const expected = Float64Array.from(initial.values);
    const roundIds = [...new Set(log.map((u) => u.roundId))].sort((a, b) => a - b).slice(0, 2);
    for (const [index, roundId] of roundIds.entries()) {
      const updates = log.filter((u) => u.roundId === roundId);
      expect(updates).toHaveLength(3);
      step(expected, meanOf(updates, () => 1));
      const actual = snapshots.get(index + 1)!;
      // float32 storage of float64 arithmetic: one rounding per step.
      expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-6);
      // And the step was not a no-op.
      expect(maxAbsDiff(actual, initial.values)).toBeGreaterThan(1e-4);
      // Carry the server's float32 rounding forward, as the server does.
      expected.set(actual);
    }
    expect(server.status().updates.accepted).toBeGreaterThanOrEqual(6);
  });

  it('serves the new model over GET /model with its version, and weights by clamped example counts when configured', async () => {
    const server = await startServer(resources, {
      optimiser: { kind: 'fedavg', learningRate: 1 },
      rounds: {
        minClients: 3,
        sampling: { kind: 'fixed', size: 3 },
        minUpdates: 3,
        weighting: 'examples',
        maxExampleCount: 5,
        // No second round during the test: GET /model must show round 1's result.
        cooldownMs: 600_000,
      },
    });
    const initial = server.model();
    const applied = nextServerEvent(server, 'roundClosed', (round) => round.outcome === 'applied');
    const log: RecordedUpdate[] = [];
    const counts = [1, 3, 50]; // 50 is clamped to 5
    startClients(resources, server, 3, (index) => recordingTrainer(index, log, counts[index]));
    await applied;

    const { model, headerVersion } = await fetchModel(server.address!.url);
    expect(model.version).toBe(1);
    expect(headerVersion).toBe(1);
    expect(model.shape).toEqual(SMALL_SHAPE);
    const mean = meanOf(log, (u) => Math.min(u.exampleCount, 5));
    const expected = Float64Array.from(initial.values, (x, i) => x + mean[i]!);
    expect(maxAbsDiff(model.values, expected)).toBeLessThan(1e-6);
  });
});
