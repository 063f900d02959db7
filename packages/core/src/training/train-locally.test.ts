import { describe, it, expect, beforeAll } from 'vitest';
import { trainLocally, trainLocallySparse } from './train-locally.js';
import { createSharedModel } from '../model/create-model.js';
import type { SharedModel } from '../model/shared-parameters.js';
import { positiveItems } from '../model/shopping-event.js';
import { scoreAllItems } from '../model/score.js';
import { createSeededRandomSource } from '../random/seeded-random-source.js';
import { evaluateLeaveOneOut } from '../metrics/evaluate-leave-one-out.js';
import { clusteredPopulation } from '../test-support/clustered-population.js';
import type { TestShopper } from '../test-support/clustered-population.js';
import { KERNEL_BACKENDS, useBackend } from '../test-support/backends.js';

const shape = { numItems: 200, dim: 16 };
const SERVER_LR = 20;

function trainOnly(shopper: TestShopper) {
  return positiveItems(shopper.events.slice(0, -1));
}

function fitUser(model: SharedModel, shopper: TestShopper, seed: number): Float32Array {
  return trainLocally({ model, positives: trainOnly(shopper), random: createSeededRandomSource(seed), config: { epochs: 0 } }).userVector;
}

function hr10(model: SharedModel, shoppers: TestShopper[]): number {
  return evaluateLeaveOneOut({
    numItems: shape.numItems,
    users: shoppers,
    scoreAll: (s, i) => scoreAllItems(model.shape, model.values, fitUser(model, s, i)),
    seed: 'eval',
  }).hr;
}

/**
 * Plain federated averaging of the local deltas with a server learning rate,
 * enough to exercise training end to end. Each item row is touched by few
 * shoppers, so the mean shrinks it; the server step makes up for that.
 */
function federatedRounds(model: SharedModel, shoppers: TestShopper[], rounds: number, seed: string): SharedModel {
  let current = model;
  for (let r = 0; r < rounds; r++) {
    const sum = new Float64Array(current.values.length);
    shoppers.forEach((s, i) => {
      const { delta } = trainLocally({ model: current, positives: trainOnly(s), random: createSeededRandomSource(`${seed}/${r}/${i}`) });
      for (let j = 0; j < sum.length; j++) sum[j]! += delta.values[j]!;
    });
    const values = Float32Array.from(current.values, (v, j) => v + (SERVER_LR * sum[j]!) / shoppers.length);
    current = { shape, version: current.version + 1, values };
  }
  return current;
}

describe.each(KERNEL_BACKENDS)('local training on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const shoppers = clusteredPopulation({ shoppers: 150, numItems: shape.numItems, clusters: 8, eventsPerShopper: 12, random: createSeededRandomSource('pop') });

  it('lowers the loss on the shopper’s own triplets', () => {
    const model = createSharedModel(shape, { seed: 1 });
    const result = trainLocally({ model, positives: trainOnly(shoppers[0]!), random: createSeededRandomSource(3), config: { epochs: 5 }, measureLoss: true });
    expect(result.lossAfter).toBeLessThan(result.lossBefore);
    expect(result.triplets).toBeGreaterThan(0);
  });

  it('changes only rows the shopper’s triplets touched, and returns a dense delta of the full shape', () => {
    const model = createSharedModel(shape, { seed: 1 });
    const { delta } = trainLocally({ model, positives: trainOnly(shoppers[1]!), random: createSeededRandomSource(3), config: { negativesPerPositive: 1, epochs: 1, userEpochs: 1 } });
    expect(delta.values.length).toBe(shape.numItems * (shape.dim + 1));
    expect(delta.baseVersion).toBe(model.version);
    let changedRows = 0;
    for (let i = 0; i < shape.numItems; i++) if (delta.values.subarray(i * shape.dim, (i + 1) * shape.dim).some((v) => v !== 0)) changedRows++;
    // 11 positives, 11 negatives at most.
    expect(changedRows).toBeGreaterThan(10);
    expect(changedRows).toBeLessThanOrEqual(22);
  });

  it('trainLocallySparse returns exactly the dense delta’s rows that can be non-zero: those a joint epoch touched', () => {
    const model = createSharedModel(shape, { seed: 4 });
    const positives = trainOnly(shoppers[4]!);
    // Three user-only epochs draw negatives whose rows training never changes.
    const config = { userEpochs: 3, epochs: 1, negativesPerPositive: 2 };
    const dense = trainLocally({ model, positives, random: createSeededRandomSource('sparse'), config });
    const sparse = trainLocallySparse({ model, positives, random: createSeededRandomSource('sparse'), config });
    expect(sparse.rows.items).toEqual(dense.touchedItems);
    expect(sparse.baseVersion).toBe(model.version);
    expect(sparse.userVector).toEqual(dense.userVector);
    // Scattered back, the rows are the dense delta bit for bit.
    const { numItems, dim } = shape;
    const rebuilt = new Float32Array(dense.delta.values.length);
    sparse.rows.items.forEach((item, r) => {
      rebuilt.set(sparse.rows.embeddings.subarray(r * dim, (r + 1) * dim), item * dim);
      rebuilt[numItems * dim + item] = sparse.rows.biases[r]!;
    });
    expect(rebuilt).toEqual(dense.delta.values);
    // Every non-zero row is listed, and no more than one joint epoch can touch: positives and their 2 negatives each.
    const listed = new Set(sparse.rows.items);
    for (let item = 0; item < numItems; item++) {
      const nonZero = dense.delta.values.subarray(item * dim, (item + 1) * dim).some((v) => v !== 0) || dense.delta.values[numItems * dim + item] !== 0;
      if (nonZero) expect(listed.has(item)).toBe(true);
    }
    expect(listed.size).toBeLessThanOrEqual(3 * positives.items.length);
    expect(listed.size).toBeGreaterThan(positives.items.length);
  });

  it('federated rounds raise HR@10 well above the untrained model', () => {
    const model = createSharedModel(shape, { seed: 2 });
    const before = hr10(model, shoppers);
    const trained = federatedRounds(model, shoppers, 8, 'fed');
    const after = hr10(trained, shoppers);
    expect(before).toBeLessThan(0.3);
    expect(after).toBeGreaterThan(before + 0.3);
  });

  it('the fused training kernel and the autodiff path (variableGrads + tf.train.sgd) take the same steps', () => {
    const model = createSharedModel(shape, { seed: 9 });
    // Small batches: several steps per epoch, user-only and joint epochs, rows repeated across batches.
    const config = { batchSize: 7, userEpochs: 2, epochs: 3, negativesPerPositive: 3 };
    const run = (fused: boolean) => trainLocally({ model, positives: trainOnly(shoppers[3]!), random: createSeededRandomSource('paths'), config, fused });
    const a = run(true);
    const b = run(false);
    expect(a.triplets).toBe(b.triplets);
    for (let i = 0; i < a.delta.values.length; i++) expect(a.delta.values[i]).toBeCloseTo(b.delta.values[i]!, 5);
    for (let j = 0; j < a.userVector.length; j++) expect(a.userVector[j]).toBeCloseTo(b.userVector[j]!, 5);
    expect(a.delta.values.some((v) => v !== 0)).toBe(true);
  });

  it('same seed, same result — bit for bit', () => {
    const model = createSharedModel(shape, { seed: 5 });
    const run = () => trainLocally({ model, positives: trainOnly(shoppers[2]!), random: createSeededRandomSource('same') });
    const a = run();
    const b = run();
    expect(Array.from(a.delta.values)).toEqual(Array.from(b.delta.values));
    expect(Array.from(a.userVector)).toEqual(Array.from(b.userVector));
    const c = trainLocally({ model, positives: trainOnly(shoppers[2]!), random: createSeededRandomSource('other') });
    expect(Array.from(c.delta.values)).not.toEqual(Array.from(a.delta.values));
  });

  it('never draws a row of `notNegatives` (retired products) as a negative', () => {
    const model = createSharedModel(shape, { seed: 1 });
    const positives = positiveItems([{ item: 0, type: 'purchase', time: 1 }]);
    // Every row but 0 (the positive) and 1 is ruled out: 1 is the only negative left to draw.
    const notNegatives = Array.from({ length: shape.numItems - 2 }, (_, i) => i + 2);
    const { delta } = trainLocally({ model, positives, notNegatives, random: createSeededRandomSource(5), config: { epochs: 3, userEpochs: 1 } });
    const changed = (row: number): boolean => delta.values.subarray(row * shape.dim, (row + 1) * shape.dim).some((v) => v !== 0);
    expect(changed(0)).toBe(true);
    expect(changed(1)).toBe(true);
    for (const row of notNegatives) expect(changed(row)).toBe(false);
  });

  it('a shopper with no history contributes a zero delta and keeps a zero vector', () => {
    const model = createSharedModel(shape, { seed: 1 });
    const result = trainLocally({ model, positives: positiveItems([]), random: createSeededRandomSource(1) });
    expect(result.delta.values.every((v) => v === 0)).toBe(true);
    expect(result.triplets).toBe(0);
  });
});
