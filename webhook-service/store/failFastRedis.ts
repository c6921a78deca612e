// The Redis connection of the adapters that serve HTTP handlers: with Redis away, commands fail
// at once (-> 503, the caller retries) instead of queueing in memory while the request hangs;
// reconnects come back within 2 s. Connection errors surface on the commands that fail.
import Redis from 'ioredis';

export function failFastRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: true,
  });
  redis.on('error', () => undefined);
  return redis;
}
