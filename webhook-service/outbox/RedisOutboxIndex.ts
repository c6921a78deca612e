// Which chains are due, in Redis: a sorted set of chains by the time their next delivery may be
// tried, a version per chain (so a chain emptied by a drain is dropped only if nothing was queued
// on it meanwhile), and a lock per chain (one drain at a time across instances). Its size follows
// the number of chains with something pending, never the number of events. It is a copy: a marker
// that expires (or vanishes with Redis) has it rebuilt from MongoDB's pending deliveries.
import type Redis from 'ioredis';
import { queueCall } from '../errors';
import { failFastRedis, type RedisTarget } from '../redis/connections';
import { releaseLock, takeLock, type HeldLock } from '../redis/lock';
import type { Chain } from './MongoOutboxStore';

// KEYS: due, versions. ARGV: score, chain. Due now (or at ARGV[1]) and a new version.
const WAKE = "redis.call('zadd', KEYS[1], ARGV[1], ARGV[2]) return redis.call('hincrby', KEYS[2], ARGV[2], 1)";
// KEYS: due, versions. ARGV: chain, version seen. Dropped only if nothing was queued since.
const DROP_IF_UNCHANGED = "if tostring(redis.call('hget', KEYS[2], ARGV[1])) == ARGV[2] then redis.call('zrem', KEYS[1], ARGV[1]) redis.call('hdel', KEYS[2], ARGV[1]) return 1 end return 0";

export const chainKey = (chain: Chain): string => `${chain.endpoint}|${chain.sessionId}`;
export function chainOf(key: string): Chain {
  const separator = key.indexOf('|');
  return { endpoint: key.slice(0, separator), sessionId: key.slice(separator + 1) };
}

export interface RedisOutboxIndexOptions {
  redis: RedisTarget;
  prefix: string;
  /** How long the index counts as built before it is rebuilt from MongoDB anyway (a Redis that lost writes keeps its marker), in ms. @defaultValue 600000 */
  rebuildEveryMs?: number;
}

export class RedisOutboxIndex {
  private readonly redis: Redis;
  private readonly keys: { due: string; versions: string; built: string; lock: (chain: string) => string };

  constructor(private readonly options: RedisOutboxIndexOptions) {
    this.redis = failFastRedis(options.redis);
    // One hash tag: the scripts touch several keys.
    const base = `${options.prefix}:outbox:{index}`;
    this.keys = { due: `${base}:due`, versions: `${base}:versions`, built: `${base}:built`, lock: (chain) => `${base}:lock:${chain}` };
  }

  async connect(): Promise<void> {
    await queueCall(() => this.redis.connect());
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  /** The chain has something new to send from `at` (ms): it is due then, and a drain in progress will not drop it. */
  async wake(chains: readonly Chain[], at: number): Promise<void> {
    await queueCall(async () => {
      for (const chain of chains) await this.redis.eval(WAKE, 2, this.keys.due, this.keys.versions, at, chainKey(chain));
    });
  }

  /** The chain's next try is not before `at` (its head failed and waits for its backoff). */
  async postpone(chain: Chain, at: number): Promise<void> {
    await queueCall(() => this.redis.zadd(this.keys.due, at, chainKey(chain)));
  }

  /** Up to `limit` chains due at `now`, each with its version as read. */
  async due(now: number, limit: number): Promise<{ chain: Chain; version: string }[]> {
    return queueCall(async () => {
      const keys = await this.redis.zrangebyscore(this.keys.due, '-inf', now, 'LIMIT', 0, limit);
      if (keys.length === 0) return [];
      const versions = await this.redis.hmget(this.keys.versions, ...keys);
      return keys.map((key, index) => ({ chain: chainOf(key), version: String(versions[index] ?? 'nil') }));
    });
  }

  /** Drops a chain found empty, unless something was queued on it after `version` was read. */
  async dropIfUnchanged(chain: Chain, version: string): Promise<boolean> {
    return queueCall(async () => (await this.redis.eval(DROP_IF_UNCHANGED, 2, this.keys.due, this.keys.versions, chainKey(chain), version === 'nil' ? 'false' : version)) === 1);
  }

  /** Takes the chain's lock for `leaseMs`, or null when another drain holds it. */
  async lock(chain: Chain, leaseMs: number): Promise<HeldLock | null> {
    return queueCall(() => takeLock(this.redis, this.keys.lock(chainKey(chain)), leaseMs));
  }

  async extend(chain: Chain, leaseMs: number): Promise<void> {
    await queueCall(() => this.redis.pexpire(this.keys.lock(chainKey(chain)), leaseMs));
  }

  async unlock(lock: HeldLock): Promise<void> {
    await releaseLock(this.redis, lock);
  }

  /** True when the index must be rebuilt (never built, expired, or Redis lost it); claims the rebuild for this caller. */
  async claimRebuild(): Promise<boolean> {
    return queueCall(async () => (await this.redis.set(this.keys.built, String(Date.now()), 'PX', this.options.rebuildEveryMs ?? 600_000, 'NX')) === 'OK');
  }

  /** A rebuild that failed half way: the next look tries again instead of waiting for the marker to expire. */
  async abandonRebuild(): Promise<void> {
    await this.redis.del(this.keys.built).catch(() => undefined);
  }

  /** Chains due (by the durable record) put back without raising a version: a drain in progress still sees its own. */
  async restore(chains: readonly (Chain & { dueAt: Date })[]): Promise<void> {
    if (chains.length === 0) return;
    await queueCall(async () => {
      const args = chains.flatMap((chain) => [chain.dueAt.getTime(), chainKey(chain)]);
      // LT: an entry already due sooner stays as it is.
      await this.redis.zadd(this.keys.due, 'LT', ...args);
    });
  }

  /** Chains in the index: what Redis holds for the outbox, whatever the number of events. */
  async size(): Promise<number> {
    return queueCall(() => this.redis.zcard(this.keys.due));
  }
}
