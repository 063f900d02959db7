import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServerError } from '../server-error.js';
import { clusterKeys, type ClusterKeys } from './cluster-keys.js';
import { CoordinatorLease } from './coordinator-lease.js';
import { connectRedis, type RedisConnection } from './redis-connection.js';

/** The Redis the project's machines run (`.ci/run` starts one if none answers). */
const REDIS_URL = process.env['FEDREC_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';

describe('coordinator lease and fencing (real Redis)', () => {
  let redis: RedisConnection;
  let prefix: string;
  let keys: ClusterKeys;
  beforeEach(async () => {
    redis = await connectRedis(REDIS_URL, () => {});
    prefix = `fedrec-test:${randomUUID()}`;
    keys = clusterKeys(prefix);
  });
  afterEach(async () => {
    const found: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) found.push(...batch.map(String));
    if (found.length > 0) await redis.del(found);
    await redis.close();
  });

  it('one holder at a time; tokens only grow; a deposed holder can neither renew nor publish', async () => {
    const a = new CoordinatorLease(redis, keys, 'node-a', 60_000);
    const b = new CoordinatorLease(redis, keys, 'node-b', 60_000);
    const heldA = await a.acquire(0);
    expect(heldA).toEqual({ nodeId: 'node-a', token: 1, holder: 'node-a/1' });
    expect(await b.acquire(0)).toBeNull();
    expect(await a.renew(heldA!)).toBe(true);
    expect(await a.publishFenced(heldA!, 'from a', { [keys.published]: '1/1' })).toBe(true);
    expect(String(await redis.get(keys.published))).toBe('1/1');

    // The lease expires (a paused or killed holder): B takes it with a larger token.
    await redis.del(keys.lease);
    const heldB = await b.acquire(0);
    expect(heldB?.token).toBe(2);
    // A, not knowing, is refused at every step: nothing it writes becomes visible.
    expect(await a.renew(heldA!)).toBe(false);
    expect(await a.publishFenced(heldA!, 'stale', { [keys.published]: '9/1' })).toBe(false);
    expect(String(await redis.get(keys.published))).toBe('1/1');
    // A's release does not free B's lease.
    await a.release(heldA!);
    expect(String(await redis.get(keys.lease))).toBe('node-b/2');
    expect(await b.publishFenced(heldB!, 'from b', { [keys.published]: '2/2' })).toBe(true);
    await b.release(heldB!);
    expect(await redis.exists(keys.lease)).toBe(0);
  });

  it('a fenced publish reaches subscribers only while the lease holds', async () => {
    const lease = new CoordinatorLease(redis, keys, 'node-a', 60_000);
    const subscriber = redis.duplicate();
    await subscriber.connect();
    const received: string[] = [];
    let arrived: () => void = () => {};
    await subscriber.subscribe(keys.events, (message: string) => {
      received.push(message);
      arrived();
    });
    const held = (await lease.acquire(0))!;
    const first = new Promise<void>((resolve) => (arrived = resolve));
    expect(await lease.publishFenced(held, 'hello')).toBe(true);
    await first;
    await redis.del(keys.lease);
    expect(await lease.publishFenced(held, 'too late')).toBe(false);
    // A second message published by someone else marks the end: nothing came in between.
    const second = new Promise<void>((resolve) => (arrived = resolve));
    await redis.publish(keys.events, 'marker');
    await second;
    expect(received).toEqual(['hello', 'marker']);
    await subscriber.close();
  });

  it('after a Redis restart that lost the counter, the token still exceeds every token seen (the floor)', async () => {
    const lease = new CoordinatorLease(redis, keys, 'node-a', 60_000);
    const first = (await lease.acquire(0))!;
    await lease.release(first);
    // The restart: every key gone. The checkpoint files still carry token 7.
    await redis.del([keys.token, keys.lease]);
    const again = (await lease.acquire(7))!;
    expect(again.token).toBe(8);
    await lease.release(again);
    expect((await lease.acquire(0))!.token).toBe(9);
  });

  it('an unrenewed lease expires and can be taken over', async () => {
    const a = new CoordinatorLease(redis, keys, 'node-a', 200);
    const b = new CoordinatorLease(redis, keys, 'node-b', 60_000);
    const heldA = (await a.acquire(0))!;
    // Waits on Redis's own clock: the key is gone once PTTL says so.
    while ((await redis.exists(keys.lease)) === 1) await new Promise((resolve) => setImmediate(resolve));
    const heldB = await b.acquire(0);
    expect(heldB?.token).toBe(heldA.token + 1);
    expect(await a.renew(heldA)).toBe(false);
  });
});

describe('connectRedis', () => {
  it('fails the start at once, naming the URL, when nothing answers (it does not retry before the first connection)', async () => {
    const failure = await connectRedis('redis://127.0.0.1:1', () => {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServerError);
    expect(failure).toMatchObject({ code: 'CLUSTER_UNREACHABLE', message: expect.stringMatching(/^cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/?: .*ECONNREFUSED/) });
    expect(await connectRedis('not a url', () => {}).catch((error: unknown) => error)).toMatchObject({ code: 'INVALID_CONFIG' });
  });
});
