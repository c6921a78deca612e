// Every Redis connection of the service is described here, from one statement of where Redis
// is: one server (REDIS_URL) or the primary that Sentinel names (REDIS_SENTINELS and
// REDIS_SENTINEL_NAME). Two kinds of connection: the ones that serve HTTP handlers fail fast
// (-> 503, LiveKit retries) and the worker's, which wait for Redis to come back.
//
// During a failover every connection leaves the old primary as soon as one Sentinel announces
// the new one (`+switch-master`, ioredis's `failoverDetector`), so what the old primary takes
// after the switch is at most what reached it before that announcement: without the detector a
// connection learned of a forced failover only from its first `READONLY`, and Sentinel leaves a
// demoted primary writable for seconds after the switch (about 10 s seen here) before it makes
// it a replica, every write of which was lost. A killed primary stops answering: the connections reconnect
// through Sentinel, the workers' resending what failed, the handlers' failing the command so
// the caller answers 503. `READONLY` still sends a connection to Sentinel again
// (`reconnectOnError`), for an announcement a connection missed.
//
// The detector ended a connection for good in ioredis 5.9.2 when `+switch-master` arrived while
// it was reconnecting after its primary was killed (every command "Connection is closed" until a
// restart); ioredis 6.1 drops the detector with the stream it watched. Checked by
// test/integration/service/redisFailover.test.ts (SIGKILL of the primary).
import Redis, { type RedisOptions } from 'ioredis';

/** Where Redis is. */
export type RedisTarget =
  | { kind: 'server'; url: string }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; password?: string };

/**
 * The connection options BullMQ and ioredis take: ioredis options, plus `url` for one server.
 * `retryStrategy` is always a function here: ioredis 6 also accepts `null` (never reconnect),
 * which BullMQ 6's own options type refuses.
 */
export type RedisConnectionOptions = Omit<RedisOptions, 'retryStrategy'> & { url?: string; retryStrategy?: (times: number) => number };

/** Reconnect quickly after a Redis restart or a failover: at most 2 s between tries. */
export const reconnectSoon = (times: number): number => Math.min(times * 200, 2000);

const READONLY = /^READONLY/;

function whereOf(target: RedisTarget): RedisConnectionOptions {
  if (target.kind === 'server') return { url: target.url };
  return {
    sentinels: target.sentinels,
    name: target.name,
    ...(target.password === undefined ? {} : { password: target.password }),
    sentinelRetryStrategy: reconnectSoon,
    failoverDetector: true,
  };
}

/**
 * For connections that serve HTTP handlers (the queue's producer side, the session copy, the
 * locks, the outbox): with Redis away or changing primary, commands fail at once instead of
 * queueing in memory while the request hangs; reconnects come back within 2 s.
 */
export function failFastOptions(target: RedisTarget): RedisConnectionOptions {
  return {
    ...whereOf(target),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: reconnectSoon,
    // Reconnect (to the new primary) but fail this command: its caller answers 503.
    reconnectOnError: (error) => (READONLY.test(error.message) ? 1 : false),
  };
}

/** For BullMQ workers: they wait for Redis (BullMQ sets `maxRetriesPerRequest: null` itself). */
export function waitingOptions(target: RedisTarget): RedisConnectionOptions {
  return {
    ...whereOf(target),
    retryStrategy: reconnectSoon,
    // Reconnect to the new primary and send the refused command again.
    reconnectOnError: (error) => (READONLY.test(error.message) ? 2 : false),
  };
}

/** An ioredis client, not yet connected (`lazyConnect`), whose connection errors surface on its commands. */
export function failFastRedis(target: RedisTarget): Redis {
  const { url, ...options } = failFastOptions(target);
  const settings = { ...options, lazyConnect: true };
  const redis = url ? new Redis(url, settings) : new Redis(settings);
  redis.on('error', () => undefined);
  return redis;
}

/**
 * Asks Redis once and lets go: no retry, no reconnect, and a failed connect fails at once (the
 * doctor's check and the stack launcher's probes, which must say straight away that Redis is not
 * there). `where`: one server's `url`, or ioredis options (a host and port, Sentinel).
 */
export async function askRedisOnce<T>(where: RedisConnectionOptions, work: (redis: Redis) => Promise<T>): Promise<T> {
  const { url, ...options } = where;
  const settings = { ...options, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null };
  const redis = url ? new Redis(url, settings) : new Redis(settings);
  // The failed connect below reports it.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/** `host:port,host:port` (REDIS_SENTINELS) as Sentinel addresses; throws on a malformed entry. */
export function parseSentinels(list: string): { host: string; port: number }[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(entry);
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65535) throw new Error(`not host:port: ${entry}`);
      return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port };
    });
}
