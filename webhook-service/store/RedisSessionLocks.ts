// Per-session locks in Redis (SET NX PX with a token of our own, released only by its holder):
// the webhook intake stores and folds a session's events one at a time across instances. A
// crashed holder's lock expires after `leaseMs`. LiveKit sends a room's events one at a time, so
// waiting is rare (a retry racing its original, two instances, reconciliation).
import { randomBytes } from 'node:crypto';
import { setTimeout as wait } from 'node:timers/promises';
import type Redis from 'ioredis';
import { ServiceError } from '../errors';
import { failFastRedis, type RedisTarget } from '../redis/connections';
import type { SessionLocks } from '../usecases/ports/SessionLocks';

const RELEASE_IF_HELD = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

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
    await this.guard(() => this.redis.connect());
  }

  async withLock<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const key = `${this.options.prefix}:lock:{${sessionId}}`;
    const token = randomBytes(9).toString('base64url');
    const deadline = Date.now() + this.waitMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      const taken = await this.guard(() => this.redis.set(key, token, 'PX', this.leaseMs, 'NX'));
      if (taken === 'OK') break;
      if (Date.now() >= deadline) throw ServiceError.storeUnavailable(new Error(`session ${sessionId} is busy`));
      await wait(pause);
    }
    try {
      return await work();
    } finally {
      await this.redis.eval(RELEASE_IF_HELD, 1, key, token).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw ServiceError.storeUnavailable(error);
    }
  }
}
