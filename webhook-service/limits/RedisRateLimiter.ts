// Request rates kept in Redis, so every instance of the service counts against the same limits.
// The rule is GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp per
// subject): `limit` requests per window at once, then one per window/limit; a refusal says how
// long until the next request would pass. One script checks every subject of a request first
// and counts it against all of them only when all allow it, in Redis's own clock (instances'
// clocks may differ). Keys share one hash tag, so the script runs on Redis Cluster too.
import type Redis from 'ioredis';
import { failFastRedis, type RedisTarget } from '../redis/connections';
import type { RateLimiter, RateSubject } from '../http/rateLimits';

const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local wait = 0
local next = {}
for i, key in ipairs(KEYS) do
  local interval = window / tonumber(ARGV[i + 1])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  next[i] = tat + interval
  local allowedAt = next[i] - window
  if allowedAt - now > wait then wait = allowedAt - now end
end
if wait > 0 then return math.ceil(wait) end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, tostring(next[i]), 'PX', math.ceil(next[i] - now) + 1)
end
return 0
`;

export interface RedisRateLimiterOptions {
  /** Where Redis is (one server or through Sentinel). */
  redis: RedisTarget;
  /** Key prefix (the deployment's BULLMQ_PREFIX): `<prefix>:{rate}:<subject>`. */
  prefix: string;
  /** The window the limits count in, in ms. @defaultValue 60000 */
  windowMs?: number;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly windowMs: number;

  constructor(private readonly options: RedisRateLimiterOptions) {
    this.redis = failFastRedis(options.redis);
    this.windowMs = options.windowMs ?? 60_000;
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  async take(subjects: readonly RateSubject[]): Promise<number> {
    if (subjects.length === 0) return 0;
    const keys = subjects.map((subject) => `${this.options.prefix}:{rate}:${subject.name}`);
    const waitMs = await this.redis.eval(TAKE, keys.length, ...keys, this.windowMs, ...subjects.map((subject) => subject.limit));
    return Number(waitMs);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
