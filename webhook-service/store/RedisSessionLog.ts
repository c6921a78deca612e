// Each session's event log as a Redis hash (event id -> stored event), read in one round trip.
//
// Why Redis: the intake must read a session's whole log on every webhook. On MongoDB an index
// on sessionId serves that, but FerretDB (the embedded database) pushes only `{ _id: value }`
// filters down to SQLite and scans every other query in Go, so a `find({ sessionId })` would
// slow down with every session ever stored. MongoDB keeps the durable record of every event;
// this hash is an index of it, and is rebuilt from MongoDB whenever it is missing (a Redis
// restart without persistence, an expired key). The field COMPLETE marks a hash that holds the
// whole log; without it the log is rebuilt before it is trusted.
import Redis from 'ioredis';
import { ServiceError } from '../errors';
import type { StoredEvent } from './SessionStore';

const COMPLETE = '~complete';

export interface SessionLogOptions {
  redisUrl: string;
  /** Key prefix, shared with the queues' prefix so deployments sharing a Redis stay apart. */
  prefix: string;
  /** How long a session's log stays in Redis after its last event, in seconds. */
  ttlSeconds: number;
}

type SerializedEvent = Omit<StoredEvent, 'at' | 'receivedAt'> & { at: string; receivedAt: string };

const serialize = (event: StoredEvent): string => JSON.stringify(event);
const parse = (text: string): StoredEvent => {
  const raw = JSON.parse(text) as SerializedEvent;
  return { ...raw, at: new Date(raw.at), receivedAt: new Date(raw.receivedAt) };
};

export class RedisSessionLog {
  private readonly redis: Redis;

  constructor(private readonly options: SessionLogOptions) {
    // Serves HTTP handlers: with Redis away, fail at once (-> 503) rather than queue commands.
    this.redis = new Redis(options.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      lazyConnect: true,
    });
    // Connection errors surface on the commands that fail; ioredis would otherwise print them.
    this.redis.on('error', () => undefined);
  }

  private key(sessionId: string): string {
    // The braces keep a session's key on one Redis Cluster slot.
    return `${this.options.prefix}:session-log:{${sessionId}}`;
  }

  async connect(): Promise<void> {
    await this.guard(() => this.redis.connect());
  }

  /** A new session's log is empty and complete: it needs no rebuild. */
  async start(sessionId: string): Promise<void> {
    await this.guard(() => this.redis.multi().hset(this.key(sessionId), COMPLETE, '1').expire(this.key(sessionId), this.options.ttlSeconds).exec());
  }

  /** Adds an event already stored in MongoDB; a second add of the same id keeps the first. */
  async add(event: StoredEvent): Promise<void> {
    const key = this.key(event.sessionId);
    await this.guard(() => this.redis.multi().hsetnx(key, event.id, serialize(event)).expire(key, this.options.ttlSeconds).exec());
  }

  /** The log, or null when Redis does not hold it whole and it must be rebuilt. */
  async read(sessionId: string): Promise<StoredEvent[] | null> {
    const fields = await this.guard(() => this.redis.hgetall(this.key(sessionId)));
    if (fields[COMPLETE] === undefined) return null;
    return Object.entries(fields)
      .filter(([field]) => field !== COMPLETE)
      .map(([, text]) => parse(text));
  }

  /** Writes a log rebuilt from MongoDB and marks it complete. */
  async restore(sessionId: string, events: readonly StoredEvent[]): Promise<void> {
    const key = this.key(sessionId);
    const multi = this.redis.multi();
    for (const event of events) multi.hsetnx(key, event.id, serialize(event));
    multi.hset(key, COMPLETE, '1').expire(key, this.options.ttlSeconds);
    await this.guard(() => multi.exec());
  }

  async ping(): Promise<void> {
    await this.guard(() => this.redis.ping());
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
