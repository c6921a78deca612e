// The probe log in Redis: `register` (the doctor, before it joins its probe room), `observe` (the
// webhook intake, only for a registered probe), `observations` and `remove` (the doctor). Keys
// expire on their own, so a doctor that dies leaves nothing behind for long.
import Redis from 'ioredis';
import { failFastRedis, type RedisTarget } from '../redis/connections';
import type { ProbeLog, ProbeObservation } from './probeRooms';

const KEEP = 50;
// Append only while the probe is registered; a list of bounded length that expires with it.
const OBSERVE_IF_REGISTERED = `if redis.call('exists', KEYS[1]) == 1 then
  redis.call('rpush', KEYS[2], ARGV[1]) redis.call('ltrim', KEYS[2], -${KEEP}, -1) redis.call('pexpire', KEYS[2], redis.call('pttl', KEYS[1]))
  return 1 end return 0`;

export interface RedisProbeLogOptions {
  /** Where Redis is (one server or through Sentinel). */
  redis: RedisTarget;
  /** Key prefix (BULLMQ_PREFIX), so deployments sharing a Redis keep apart. */
  prefix: string;
}

export class RedisProbeLog implements ProbeLog {
  private readonly redis: Redis;

  constructor(private readonly options: RedisProbeLogOptions) {
    this.redis = failFastRedis(options.redis);
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  async register(room: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.registrationKey(room), '1', 'PX', ttlMs);
  }

  async observe(room: string, observation: ProbeObservation): Promise<void> {
    await this.redis.eval(OBSERVE_IF_REGISTERED, 2, this.registrationKey(room), this.observationsKey(room), JSON.stringify(observation));
  }

  async observations(room: string): Promise<ProbeObservation[]> {
    return (await this.redis.lrange(this.observationsKey(room), 0, -1)).map((text) => JSON.parse(text) as ProbeObservation);
  }

  async remove(room: string): Promise<void> {
    await this.redis.del(this.registrationKey(room), this.observationsKey(room));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  // One hash tag per probe: both keys in one Redis Cluster slot, as the script needs.
  private registrationKey(room: string): string {
    return `${this.options.prefix}:probe:{${room}}`;
  }

  private observationsKey(room: string): string {
    return `${this.options.prefix}:probe:{${room}}:seen`;
  }
}
