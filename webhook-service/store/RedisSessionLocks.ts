// Per-session locks in Redis (redis/lock.ts: a token of our own, released only by its holder):
// the webhook intake stores and folds a session's events one at a time across instances. A
// crashed holder's lock expires after `leaseMs`. LiveKit sends a room's events one at a time, so
// waiting is rare (a retry racing its original, two instances, reconciliation).
import { setTimeout as wait } from 'node:timers/promises';
import type Redis from 'ioredis';
import { ServiceError, storeCall } from '../errors';
import { failFastRedis, type RedisTarget } from '../redis/connections';
import { releaseLock, takeLock, type HeldLock } from '../redis/lock';
import type { SessionLocks } from '../usecases/ports/SessionLocks';

export interface RedisSessionLocksOptions {
  /** Where Redis is (one server or through Sentinel). */
  redis: RedisTarget;
  /** Key prefix (the session copy's). */
  prefix: string;
  /** How long a lock lives if its holder never releases it, in ms. @defaultValue 10000 */
  leaseMs?: number;
  /** How long to wait for a lock before giving up (the webhook then answers 503 and is retried), in ms. @defaultValue 3000 */
  waitMs?: number;
}

export class RedisSessionLocks implements SessionLocks {
  private readonly redis: Redis;
  private readonly leaseMs: number;
  private readonly waitMs: number;

  constructor(private readonly options: RedisSessionLocksOptions) {
    this.leaseMs = options.leaseMs ?? 10_000;
    this.waitMs = options.waitMs ?? 3000;
    this.redis = failFastRedis(options.redis);
  }

  async connect(): Promise<void> {
    await storeCall(() => this.redis.connect());
  }

  async withLock<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const key = `${this.options.prefix}:lock:{${sessionId}}`;
    const deadline = Date.now() + this.waitMs;
    let lock: HeldLock | null;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      lock = await storeCall(() => takeLock(this.redis, key, this.leaseMs));
      if (lock) break;
      if (Date.now() >= deadline) throw ServiceError.storeUnavailable(new Error(`session ${sessionId} is busy`));
      await wait(pause);
    }
    try {
      return await work();
    } finally {
      await releaseLock(this.redis, lock);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
