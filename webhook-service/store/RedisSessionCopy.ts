// The session copy in Redis: each session's records in one hash, read in one round trip (the
// session, one field per LiveKit event id, the activation and the closure), and each open
// room's session under a key of its own.
//
// Why: FerretDB v1.24's SQLite backend serves no query from an index, not even `{ _id: value }`,
// so every MongoDB read there scans its whole collection and slows down with every session ever
// stored. Everything copied is written once and never changes (MongoDB's unique inserts decide;
// the hash only repeats), so the copy can be read instead. The field COMPLETE says the hash was
// started with the session or rebuilt from MongoDB; without it the session is rebuilt first (a
// Redis restart without persistence, an expired key).
import Redis from 'ioredis';
import { ServiceError } from '../errors';
import type { ActivationRecord, ClosureRecord, DecisionRecord, SessionRecord, SessionRecords, StoredEvent } from '../usecases/ports/SessionStore';
import type { CopiedSession, SessionCopy } from './SessionCopy';

const COMPLETE = '~complete';
const SESSION = '~session';
const ACTIVATION = '~activation';
const CLOSURE = '~closure';
const DROP_IF_HELD = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

export interface RedisSessionCopyOptions {
  redisUrl: string;
  /** Key prefix (env SESSION_COPY_PREFIX), so deployments sharing a Redis stay apart. */
  prefix: string;
  /** How long a session's hash stays after its last write, in seconds (env SESSION_COPY_TTL_SECONDS). */
  ttlSeconds: number;
}

const withDates = <T>(text: string, fields: readonly string[]): T => {
  const raw = JSON.parse(text) as Record<string, unknown>;
  for (const field of fields) if (typeof raw[field] === 'string') raw[field] = new Date(raw[field] as string);
  return raw as T;
};
const parseEvent = (text: string): StoredEvent => withDates(text, ['at', 'receivedAt']);
const parseSession = (text: string): SessionRecord => withDates(text, ['scheduledStart', 'createdAt']);
const parseDecision = <T extends DecisionRecord>(text: string): T => withDates(text, ['startedAt', 'at', 'endedAt', 'createdAt']);

export class RedisSessionCopy implements SessionCopy {
  private readonly redis: Redis;

  constructor(private readonly options: RedisSessionCopyOptions) {
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
    return `${this.options.prefix}:session:{${sessionId}}`;
  }

  async connect(): Promise<void> {
    await this.guard(() => this.redis.connect());
  }

  async start(session: SessionRecord): Promise<void> {
    await this.write(session.id, [[SESSION, JSON.stringify(session)], [COMPLETE, '1']]);
  }

  async addEvent(event: StoredEvent): Promise<void> {
    const key = this.key(event.sessionId);
    await this.guard(() => this.redis.multi().hsetnx(key, event.id, JSON.stringify(event)).expire(key, this.options.ttlSeconds).exec());
  }

  async putSession(session: SessionRecord): Promise<void> {
    await this.write(session.id, [[SESSION, JSON.stringify(session)]]);
  }

  async putDecision(decision: DecisionRecord): Promise<void> {
    await this.write(decision.sessionId, [[decision.kind === 'activation' ? ACTIVATION : CLOSURE, JSON.stringify(decision)]]);
  }

  async roomSession(roomName: string): Promise<string | null> {
    return this.guard(() => this.redis.get(this.roomKey(roomName)));
  }

  async putRoom(roomName: string, sessionId: string): Promise<void> {
    await this.guard(() => this.redis.set(this.roomKey(roomName), sessionId, 'EX', this.options.ttlSeconds));
  }

  async dropRoom(roomName: string, sessionId: string): Promise<void> {
    await this.guard(() => this.redis.eval(DROP_IF_HELD, 1, this.roomKey(roomName), sessionId));
  }

  async read(sessionId: string): Promise<CopiedSession> {
    const fields = await this.guard(() => this.redis.hgetall(this.key(sessionId)));
    const events: StoredEvent[] = [];
    for (const [field, text] of Object.entries(fields)) if (!field.startsWith('~')) events.push(parseEvent(text));
    return {
      complete: fields[COMPLETE] !== undefined,
      session: fields[SESSION] ? parseSession(fields[SESSION]) : null,
      events,
      activation: fields[ACTIVATION] ? parseDecision<ActivationRecord>(fields[ACTIVATION]) : null,
      closure: fields[CLOSURE] ? parseDecision<ClosureRecord>(fields[CLOSURE]) : null,
    };
  }

  async restore(records: SessionRecords): Promise<void> {
    const key = this.key(records.session.id);
    const multi = this.redis.multi().hset(key, SESSION, JSON.stringify(records.session));
    for (const event of records.events) multi.hsetnx(key, event.id, JSON.stringify(event));
    if (records.activation) multi.hset(key, ACTIVATION, JSON.stringify(records.activation));
    if (records.closure) multi.hset(key, CLOSURE, JSON.stringify(records.closure));
    multi.hset(key, COMPLETE, '1').expire(key, this.options.ttlSeconds);
    await this.guard(() => multi.exec());
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
