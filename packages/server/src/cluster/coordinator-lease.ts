import type { ClusterKeys } from './cluster-keys.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * The coordinator lease of a cluster, with a fencing token.
 *
 * Acquiring is `SET lease NX PX ttl` with a token from INCR, in one script;
 * the holder renews it (compare-and-PEXPIRE) well before it expires. Every
 * write the coordinator makes visible to other nodes (a round announcement,
 * a published model) goes through `publishFenced`, which checks in the same
 * script that the lease still holds this holder's `<nodeId>/<token>`: a
 * coordinator that was paused or cut off past its lease is refused, even if
 * it does not know yet that it was replaced.
 *
 * The token never goes backwards, even across a Redis restart that lost
 * the counter: the acquirer passes the highest token found in the
 * checkpoint files (`floor`) and gets a larger one.
 */
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3])
if token <= floor then
  token = floor + 1
  redis.call('SET', KEYS[2], token)
end
redis.call('SET', KEYS[1], ARGV[1] .. '/' .. token, 'PX', ARGV[2])
return token`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** KEYS: lease, then pairs of keys to SET; ARGV: holder, channel, message, then the values. */
const PUBLISH_FENCED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[i + 2]) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`;

export interface HeldLease {
  readonly nodeId: string;
  readonly token: number;
  /** What the lease key holds while this holder has it. */
  readonly holder: string;
}

export class CoordinatorLease {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: ClusterKeys,
    private readonly nodeId: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes the lease if nobody holds it; null if someone does. `floor`: the highest token this node has seen anywhere. */
  async acquire(floor: number): Promise<HeldLease | null> {
    const token = Number(await this.redis.eval(ACQUIRE, { keys: [this.keys.lease, this.keys.token], arguments: [this.nodeId, String(this.ttlMs), String(floor)] }));
    if (!Number.isSafeInteger(token) || token <= 0) return null;
    return { nodeId: this.nodeId, token, holder: `${this.nodeId}/${token}` };
  }

  /** Extends the lease; false if it is no longer this holder's (expired, taken over, or Redis restarted). */
  async renew(lease: HeldLease): Promise<boolean> {
    return Number(await this.redis.eval(RENEW, { keys: [this.keys.lease], arguments: [lease.holder, String(this.ttlMs)] })) === 1;
  }

  /** Gives the lease up (a clean shutdown), so that another node need not wait for it to expire. */
  async release(lease: HeldLease): Promise<void> {
    await this.redis.eval(RELEASE, { keys: [this.keys.lease], arguments: [lease.holder] });
  }

  /**
   * Sets `values` and publishes `message` on the events channel, only if the
   * lease is still this holder's; false (nothing written) otherwise.
   */
  async publishFenced(lease: HeldLease, message: string, values: Readonly<Record<string, string>> = {}): Promise<boolean> {
    const entries = Object.entries(values);
    const reply = await this.redis.eval(PUBLISH_FENCED, {
      keys: [this.keys.lease, ...entries.map(([key]) => key)],
      arguments: [lease.holder, this.keys.events, message, ...entries.map(([, value]) => value)],
    });
    return Number(reply) === 1;
  }
}
