// A lock in Redis held with a token of our own (SET NX PX): only its holder releases it (a script
// compares the token), so a holder whose lease ran out never frees the lock its successor took.
// A holder that crashes frees nothing: its lease expires.
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

const RELEASE_IF_HELD = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/** A lock taken: its key and the token that proves who holds it. */
export interface HeldLock {
  key: string;
  token: string;
}

/** Takes the lock at `key` for `leaseMs` if nobody holds it; null when somebody does. Redis errors are thrown. */
export async function takeLock(redis: Redis, key: string, leaseMs: number): Promise<HeldLock | null> {
  const token = randomBytes(9).toString('base64url');
  return (await redis.set(key, token, 'PX', leaseMs, 'NX')) === 'OK' ? { key, token } : null;
}

/** Releases a lock if this holder still holds it. Never throws: a release that fails leaves the lock to its lease. */
export async function releaseLock(redis: Redis, lock: HeldLock): Promise<void> {
  await redis.eval(RELEASE_IF_HELD, 1, lock.key, lock.token).catch(() => undefined);
}
