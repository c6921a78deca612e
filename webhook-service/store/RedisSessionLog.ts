// Each session's records mirrored in one Redis hash, read in one round trip: the session, its
// events (one field per LiveKit event id) and its activation; and each open room's session.
//
// Why: FerretDB v1.24's SQLite backend serves no query from an index, not even `{ _id: value }`
// (its _id index is built on another SQL expression than the one its queries use), so every
// MongoDB read there scans its whole collection and slows down with every session ever stored.
// The webhook path therefore reads from this hash, and MongoDB only on a miss. That is safe
// because everything mirrored is written once and never changes: MongoDB's unique inserts make
// each decision, and the hash only repeats what they decided. The field COMPLETE says the hash
// holds the session's whole log (and its activation, if any); without it the session is
// rebuilt from MongoDB before the hash is trusted (a Redis restart without persistence, an
// expired key). A room missing from the mirror is looked up in MongoDB: only a room with no
// session misses for long, and a stale entry can only name a session that has ended, which
// changes nothing.
import Redis from 'ioredis';
import { ServiceError } from '../errors';
import type { ActivationRecord, SessionRecord, StoredEvent } from '../usecases/ports/SessionStore';

const COMPLETE = '~complete';
const DROP_IF_HELD = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
const SESSION = '~session';
const ACTIVATION = '~activation';

export interface SessionLogOptions {
  redisUrl: string;
  /** Key prefix, shared with the queues' prefix so deployments sharing a Redis stay apart. */
  prefix: string;
  /** How long a session's hash stays in Redis after its last write, in seconds. */
  ttlSeconds: number;
}

/** What the hash holds for a session; `complete` false means it must be rebuilt from MongoDB. */
export interface MirroredSession {
  complete: boolean;
  session: SessionRecord | null;
  events: StoredEvent[];
  activation: ActivationRecord | null;
}

const withDates = <T>(text: string, fields: readonly string[]): T => {
  const raw = JSON.parse(text) as Record<string, unknown>;
  for (const field of fields) if (typeof raw[field] === 'string') raw[field] = new Date(raw[field] as string);
  return raw as T;
};
const parseEvent = (text: string): StoredEvent => withDates(text, ['at', 'receivedAt']);
const parseSession = (text: string): SessionRecord => withDates(text, ['scheduledStart', 'createdAt']);
const parseActivation = (text: string): ActivationRecord => withDates(text, ['startedAt', 'createdAt']);

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

  private roomKey(roomName: string): string {
    return `${this.options.prefix}:room:{${roomName}}`;
  }

  private key(sessionId: string): string {
    // The braces keep a session's key on one Redis Cluster slot.
    return `${this.options.prefix}:session-log:{${sessionId}}`;
  }

  async connect(): Promise<void> {
    await this.guard(() => this.redis.connect());
  }

  /** A new session: its log is empty and complete, so it never needs a rebuild. */
  async start(session: SessionRecord): Promise<void> {
    await this.write(session.id, [[SESSION, JSON.stringify(session)], [COMPLETE, '1']]);
  }

  /** Mirrors an event already stored in MongoDB; a second add of the same id keeps the first. */
  async add(event: StoredEvent): Promise<void> {
    const key = this.key(event.sessionId);
    await this.guard(() => this.redis.multi().hsetnx(key, event.id, JSON.stringify(event)).expire(key, this.options.ttlSeconds).exec());
  }

  async putSession(session: SessionRecord): Promise<void> {
    await this.write(session.id, [[SESSION, JSON.stringify(session)]]);
  }

  async putActivation(activation: ActivationRecord): Promise<void> {
    await this.write(activation.sessionId, [[ACTIVATION, JSON.stringify(activation)]]);
  }

  /** The session holding `roomName`, as last mirrored; null when Redis does not know. */
  async roomSession(roomName: string): Promise<string | null> {
    return this.guard(() => this.redis.get(this.roomKey(roomName)));
  }

  async putRoom(roomName: string, sessionId: string): Promise<void> {
    await this.guard(() => this.redis.set(this.roomKey(roomName), sessionId, 'EX', this.options.ttlSeconds));
  }

  /** Forgets the room's session, unless a newer session of the room has replaced it. */
  async dropRoom(roomName: string, sessionId: string): Promise<void> {
    await this.guard(() => this.redis.eval(DROP_IF_HELD, 1, this.roomKey(roomName), sessionId));
  }

  async hasEvent(sessionId: string, eventId: string): Promise<boolean> {
    return (await this.guard(() => this.redis.hexists(this.key(sessionId), eventId))) === 1;
  }

  async read(sessionId: string): Promise<MirroredSession> {
    const fields = await this.guard(() => this.redis.hgetall(this.key(sessionId)));
    const events: StoredEvent[] = [];
    for (const [field, text] of Object.entries(fields)) if (!field.startsWith('~')) events.push(parseEvent(text));
    return {
      complete: fields[COMPLETE] !== undefined,
      session: fields[SESSION] ? parseSession(fields[SESSION]) : null,
      events,
      activation: fields[ACTIVATION] ? parseActivation(fields[ACTIVATION]) : null,
    };
  }

  /** Writes what was rebuilt from MongoDB and marks the hash complete. */
  async restore(sessionId: string, events: readonly StoredEvent[], activation: ActivationRecord | null): Promise<void> {
    const key = this.key(sessionId);
    const multi = this.redis.multi();
    for (const event of events) multi.hsetnx(key, event.id, JSON.stringify(event));
    if (activation) multi.hset(key, ACTIVATION, JSON.stringify(activation));
    multi.hset(key, COMPLETE, '1').expire(key, this.options.ttlSeconds);
    await this.guard(() => multi.exec());
  }

  async ping(): Promise<void> {
    await this.guard(() => this.redis.ping());
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private async write(sessionId: string, pairs: [string, string][]): Promise<void> {
    const key = this.key(sessionId);
    await this.guard(() => this.redis.multi().hset(key, Object.fromEntries(pairs)).expire(key, this.options.ttlSeconds).exec());
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw ServiceError.storeUnavailable(error);
    }
  }
}
