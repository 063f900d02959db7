/**
 * The coordinator's per-node work in a cluster round, measured alone: `n`
 * partial sums (one per node) are pushed to a Redis list beforehand, then
 * timed as the coordinator handles them — fetched one by one with BLPOP as
 * Buffers, decoded and checked (`decodePartialSum`), and added in node-id
 * order (`UpdateAccumulator.addPartial`). Measuring n = 100 directly
 * replaces extrapolating from 1–3 nodes, and it counts the transfer out of
 * Redis, which the in-cluster `decodeMs`/`combineMs` do not (the
 * coordinator waits for it between partials).
 */
import { randomUUID } from 'node:crypto';
import { createClient, RESP_TYPES } from 'redis';
import { DECLINE_REASONS, createSeededRandomSource } from '@fedrec/core';
import { UpdateAccumulator, decodePartialSum, encodePartialSum, type PartialSum } from '@fedrec/server';
import { median } from './stats.js';

export interface CombineCost {
  readonly nodes: number;
  /** Per round (medians over the repeats): BLPOP of every partial, decoding them, adding them. */
  readonly fetchMs: number;
  readonly decodeMs: number;
  readonly addMs: number;
  readonly totalMs: number;
  readonly bytes: number;
}

export async function measureCombine(url: string, floats: number, nodeCounts: readonly number[], repeats = 5): Promise<CombineCost[]> {
  const redis = createClient({ url }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  await redis.connect();
  const key = `fedrec-bench:${randomUUID()}:partials`;
  const declined = Object.fromEntries(DECLINE_REASONS.map((reason) => [reason, 0])) as unknown as PartialSum['declined'];
  const random = createSeededRandomSource('bench/combine');
  const sum = Float64Array.from({ length: floats }, () => (random.nextFloat() * 2 - 1) * 1e-2);
  const accumulator = new UpdateAccumulator(floats);
  const results: CombineCost[] = [];
  try {
    for (const nodes of nodeCounts) {
      const encoded = Array.from({ length: nodes }, (_, i) =>
        Buffer.from(encodePartialSum({ nodeId: `node-${String(i).padStart(3, '0')}`, token: 1, roundId: 1, modelVersion: 0, count: 16, totalWeight: 16, unclipped: 0, cohortSize: 16, declined, sum })),
      );
      const fetch: number[] = [];
      const decode: number[] = [];
      const add: number[] = [];
      // One untimed pass first: the JIT compiles the loop in it.
      for (let repeat = 0; repeat <= repeats; repeat++) {
        await redis.rPush(key, encoded);
        const parts = new Map<string, PartialSum>();
        let fetchMs = 0;
        let decodeMs = 0;
        for (let i = 0; i < nodes; i++) {
          const started = performance.now();
          const reply = await redis.blPop(key, 1);
          const fetched = performance.now();
          if (reply === null) throw new Error('a partial sum went missing from Redis');
          const part = decodePartialSum(reply.element as unknown as Buffer, floats);
          decodeMs += performance.now() - fetched;
          fetchMs += fetched - started;
          parts.set(part.nodeId, part);
        }
        const addStarted = performance.now();
        accumulator.reset();
        for (const id of [...parts.keys()].sort()) {
          const part = parts.get(id)!;
          accumulator.addPartial(part.sum, part.count, part.totalWeight);
        }
        const addMs = performance.now() - addStarted;
        if (repeat === 0) continue;
        fetch.push(fetchMs);
        decode.push(decodeMs);
        add.push(addMs);
      }
      const [fetchMs, decodeMs, addMs] = [median(fetch), median(decode), median(add)];
      results.push({ nodes, fetchMs, decodeMs, addMs, totalMs: fetchMs + decodeMs + addMs, bytes: encoded.reduce((total, bytes) => total + bytes.byteLength, 0) });
    }
  } finally {
    await redis.del(key);
    await redis.close();
  }
  return results;
}
