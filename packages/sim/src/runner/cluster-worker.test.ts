import { describe, it, expect } from 'vitest';
import { createSharedModel } from '@fedrec/core';
import { encodeModel } from '@fedrec/core/format';
import { useCpuBackend } from '../test-support/small-simulation.js';
import { useRedisPrefix, TEST_REDIS_URL } from '../test-support/redis-prefix.js';
import { SyntheticPopulation } from '../population/synthetic-population.js';
import { runClusterWorker } from './cluster-worker.js';
import type { ClusterWorkerEvent } from './cluster-worker.js';
import { ClusterConnectionError } from './cluster-connection.js';
import { clusterKeys, WORKER_GROUP } from './cluster-keys.js';
import { ensureWorkerGroup } from './cluster-group.js';
import { encodeJob, encodeChunk, decodeReply } from './cluster-messages.js';
import type { ClusterReply } from './cluster-messages.js';
import { readReplyEntries } from './cluster-stream-entries.js';
import { computeChunk } from './client-update-chunk.js';

useCpuBackend();

describe('cluster worker (real Redis)', () => {
  const redis = useRedisPrefix();
  const settings = { seed: 3 };
  const population = { kind: 'synthetic' as const, config: { shoppers: 40, items: 30, seed: 'w' } };
  const model = createSharedModel({ numItems: 30, dim: 4 }, { seed: 1 });
  const round = { round: 1, clipNorm: 0.5, localNoiseMultiplier: 0 };

  /** A worker in this process, its events, and a way to wait for one. */
  function startWorker(claimIdleMs = 10_000) {
    const events: ClusterWorkerEvent[] = [];
    const stop = new AbortController();
    const done = runClusterWorker({ url: TEST_REDIS_URL, prefix: redis.prefix, claimIdleMs, signal: stop.signal, onEvent: (e) => events.push(e) });
    const next = async (type: ClusterWorkerEvent['type']) => {
      for (let waited = 0; waited < 20_000; waited += 20) {
        const event = events.find((e) => e.type === type);
        if (event) return event;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no ${type} event; events: ${JSON.stringify(events)}`);
    };
    return { events, next, stop: async () => (stop.abort(), done) };
  }

  /** What a runner posts before a round's chunks: the job, the model, the results stream. */
  async function postJob(jobId: string) {
    const keys = clusterKeys(redis.prefix);
    await redis.client.set(keys.job(jobId), Buffer.from(encodeJob({ jobId, population, settings })));
    await redis.client.set(keys.model(jobId, 1), Buffer.from(encodeModel(model)));
    await redis.client.xGroupCreate(keys.results(jobId), 'runner', '$', { MKSTREAM: true });
    return keys;
  }

  async function nextReply(results: string): Promise<ClusterReply> {
    const read = await redis.client.xRead({ key: results, id: '0-0' }, { COUNT: 1, BLOCK: 20_000 });
    const entry = readReplyEntries(read, 'r')[0];
    if (!entry?.body) throw new Error('no reply');
    return decodeReply(entry.body, model.values.length);
  }

  it('drops an unreadable chunk entry with the reason, and acknowledges it so that no worker takes it again', async () => {
    const worker = startWorker();
    await worker.next('connected');
    const keys = clusterKeys(redis.prefix);
    await redis.client.xAdd(keys.chunks, '*', { m: Buffer.from('not a chunk at all') });
    expect(await worker.next('dropped')).toMatchObject({ reason: expect.stringMatching(/^unreadable chunk entry \d+-\d+: cluster chunk message: not a FedRec cluster message \(bad magic\)$/) });
    await worker.stop();
    expect((await redis.client.xPending(keys.chunks, WORKER_GROUP)).pending).toBe(0);
  });

  it('drops and deletes a chunk whose job has ended (its runner died before deleting it)', async () => {
    const worker = startWorker();
    await worker.next('connected');
    const keys = clusterKeys(redis.prefix);
    await redis.client.xAdd(keys.chunks, '*', { m: Buffer.from(encodeChunk({ jobId: 'gone', step: 1, chunkId: 4, round, shoppers: Int32Array.from([1]) })) });
    expect(await worker.next('dropped')).toMatchObject({ reason: 'chunk 4 of a finished job (gone, step 1)' });
    await worker.stop();
    expect(await redis.client.xLen(keys.chunks)).toBe(0);
  });

  it('answers a chunk naming a shopper outside the population with a failure that says so', async () => {
    const worker = startWorker();
    await worker.next('connected');
    const keys = await postJob('bad-shopper');
    await redis.client.xAdd(keys.chunks, '*', { m: Buffer.from(encodeChunk({ jobId: 'bad-shopper', step: 1, chunkId: 0, round, shoppers: Int32Array.from([3, 50]) })) });
    const reply = await nextReply(keys.results('bad-shopper'));
    expect(reply).toMatchObject({ type: 'failure', chunkId: 0, message: expect.stringMatching(/shopper 50 is not in the population \(40 shoppers\)$/) });
    await worker.stop();
  });

  it("claims a chunk a dead consumer held past the claim timeout and returns exactly the in-process sum", async () => {
    const keys = await postJob('claim');
    await ensureWorkerGroup(redis.client, keys.chunks);
    const shoppers = Int32Array.from([1, 4, 9, 16, 25]);
    await redis.client.xAdd(keys.chunks, '*', { m: Buffer.from(encodeChunk({ jobId: 'claim', step: 1, chunkId: 0, round, shoppers })) });
    // A worker that read the chunk and died: the entry stays pending under its name.
    expect(readReplyEntries(await redis.client.xReadGroup(WORKER_GROUP, 'dead-worker', { key: keys.chunks, id: '>' }, { COUNT: 1 }), 'm')).toHaveLength(1);
    const worker = startWorker(300);
    expect(await worker.next('claimed')).toMatchObject({ jobId: 'claim', step: 1, chunkId: 0 });
    const reply = await nextReply(keys.results('claim'));
    const expected = computeChunk(new SyntheticPopulation(population.config), model, settings, round, shoppers);
    expect(reply.type).toBe('result');
    if (reply.type === 'result') {
      expect(Buffer.from(reply.result.sum.buffer).equals(Buffer.from(expected.sum.buffer))).toBe(true);
      expect({ ...reply.result, sum: undefined }).toEqual({ ...expected, sum: undefined });
    }
    await worker.stop();
    expect((await redis.client.xPending(keys.chunks, WORKER_GROUP)).pending).toBe(0);
  });

  it('fails with the address and the reason, rather than retrying, when Redis is unreachable', async () => {
    await expect(runClusterWorker({ url: 'redis://127.0.0.1:1' })).rejects.toThrow(ClusterConnectionError);
    await expect(runClusterWorker({ url: 'redis://127.0.0.1:1' })).rejects.toThrow(/^cannot reach Redis at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/);
    await expect(runClusterWorker({ url: 'http://127.0.0.1:6379' })).rejects.toThrow(/expected a redis:\/\/ or rediss:\/\/ URL/);
  });
});
