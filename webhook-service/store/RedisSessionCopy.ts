// The session copy in Redis. Each session has two hashes: its head (the session, its activation
// and closure, the folded state of its events, and the COMPLETE mark) and its events (one field
// per LiveKit event id). The webhook path reads the head alone (HMGET + HLEN: O(1) whatever the
// history); the events are read only to rebuild a state.
//
// Why: FerretDB v1.24's SQLite backend serves no query from an index, not even `{ _id: value }`,
// so every MongoDB read there scans its whole collection and slows down with every session ever
// stored. Everything copied is written once and never changes (MongoDB's unique inserts decide;
// the copy only repeats), except the fold, which the intake rewrites under the session's lock and
// which says how many events it folds. COMPLETE says the copy was started with the session or
// rebuilt from MongoDB; without it the session is rebuilt first (a Redis restart without
// persistence, an expired key).
//
// A copy can also lose only its last writes: Redis replicates asynchronously, so a failover
// (Sentinel promoting the replica, or the old primary writing on for seconds before it is told
// it is a replica) drops whatever the new primary had not received, and an AOF fsynced every
// second can drop a second on a restart. Nothing in the copy shows which fields went. So COMPLETE
// holds the primary's replication id (INFO master_replid, read on each connection): a promoted
// replica or a restarted server starts a new one, and every copy marked under another id is
// rebuilt from MongoDB before it is trusted again (once per session, after each such event).
//
// The reads of the webhook path asked in the same turn of the event loop (a session's head and
// its fold, other webhooks' reads) go out as one pipeline (store/sameTickReads.ts).
//
// The small writes of the webhook path (an event, a fold, a decision, a session) are
// group-committed (store/groupCommit.ts): concurrent webhooks' writes go out as one MULTI, one
// round trip, and each write resolves once that MULTI is answered. One session's writes are
// awaited in turn by its lock's holder, so a batch never reorders them.
import type { ChainableCommander } from 'ioredis';
import type Redis from 'ioredis';
import { DEFAULT_CLINIC } from '../clinicKeys';
import { ServiceError, storeCall } from '../errors';
import { failFastRedis, type RedisTarget } from '../redis/connections';
import type { ActivationRecord, ClosureRecord, DecisionRecord, SessionRecord, SessionRecords, StoredEvent } from '../usecases/ports/SessionStore';
import { DEFAULT_GROUP_COMMIT, GroupCommit, type GroupCommitOptions, type WriteOutcome } from './groupCommit';
import { SameTickReads } from './sameTickReads';
import type { CopiedHead, CopiedSession, SessionCopy } from './SessionCopy';

const COMPLETE = '~complete';
const SESSION = '~session';
const ACTIVATION = '~activation';
const CLOSURE = '~closure';
const FOLD = '~fold';

export interface RedisSessionCopyOptions {
  /** Where Redis is (one server or through Sentinel). */
  redis: RedisTarget;
  /** Key prefix (env SESSION_COPY_PREFIX), so deployments sharing a Redis stay apart. */
  prefix: string;
  /** How long a session's copy stays after its last write, in seconds (env SESSION_COPY_TTL_SECONDS). */
  ttlSeconds: number;
  /** How concurrent writes share one MULTI. @defaultValue DEFAULT_GROUP_COMMIT */
  groupCommit?: GroupCommitOptions;
}

/** One write of the copy: the commands it adds to its batch's MULTI. */
type CopyWrite = (multi: ChainableCommander) => void;

const withDates = <T>(text: string, fields: readonly string[]): T => {
  const raw = JSON.parse(text) as Record<string, unknown>;
  for (const field of fields) if (typeof raw[field] === 'string') raw[field] = new Date(raw[field] as string);
  return raw as T;
};
const parseEvent = (text: string): StoredEvent => withDates(text, ['at', 'receivedAt']);
// A copy written before tenancy has no clinic: the one clinic of that time.
const parseSession = (text: string): SessionRecord => {
  const session = withDates<Omit<SessionRecord, 'clinicId'> & { clinicId?: string }>(text, ['scheduledStart', 'createdAt', 'appointmentChangedAt']);
  return { ...session, clinicId: session.clinicId ?? DEFAULT_CLINIC };
};
const parseDecision = <T extends DecisionRecord>(text: string): T => withDates(text, ['startedAt', 'at', 'endedAt', 'createdAt']);

/** `master_replid` from `INFO replication`. */
export function replicationIdOf(info: string): string {
  const match = /^master_replid:([0-9a-f]+)\s*$/m.exec(info);
  if (!match) throw new Error('INFO replication has no master_replid');
  return match[1] as string;
}

export class RedisSessionCopy implements SessionCopy {
  private readonly redis: Redis;
  /** The replication id of the server this connection reaches now; null while it is not connected. */
  private generation: Promise<string> | null = null;
  private readonly writes: GroupCommit<CopyWrite, void>;
  /** The webhook path's reads, one pipeline per turn of the event loop. */
  private readonly reads: SameTickReads;

  constructor(private readonly options: RedisSessionCopyOptions) {
    this.redis = failFastRedis(options.redis);
    this.writes = new GroupCommit((batch) => this.commitWrites(batch), options.groupCommit ?? DEFAULT_GROUP_COMMIT);
    this.reads = new SameTickReads(this.redis);
    // Asked again on every (re)connection: after a failover the connection reaches another server.
    this.redis.on('ready', () => this.askGeneration());
    this.redis.on('close', () => {
      this.generation = null;
    });
  }

  private askGeneration(): Promise<string> {
    const asked = this.redis.info('replication').then(replicationIdOf);
    this.generation = asked;
    // A failed question is asked again by the next read, not remembered.
    asked.catch(() => {
      if (this.generation === asked) this.generation = null;
    });
    return asked;
  }

  private async currentGeneration(): Promise<string> {
    if (this.generation) return this.generation;
    if (this.redis.status !== 'ready') throw new Error('Redis is not connected');
    return this.askGeneration();
  }

  // The braces keep a session's keys on one Redis Cluster slot.
  private headKey(sessionId: string): string {
    return `${this.options.prefix}:session:{${sessionId}}`;
  }

  private eventsKey(sessionId: string): string {
    return `${this.options.prefix}:events:{${sessionId}}`;
  }

  async connect(): Promise<void> {
    await storeCall(() => this.redis.connect());
  }

  async start(session: SessionRecord): Promise<void> {
    const generation = await storeCall(() => this.currentGeneration());
    await this.writeHead(session.id, [[SESSION, JSON.stringify(session)], [COMPLETE, generation]]);
  }

  async addEvent(event: StoredEvent): Promise<void> {
    const key = this.eventsKey(event.sessionId);
    await this.writes.submit((multi) => multi.hsetnx(key, event.id, JSON.stringify(event)).expire(key, this.options.ttlSeconds));
  }

  async putSession(session: SessionRecord): Promise<void> {
    await this.writeHead(session.id, [[SESSION, JSON.stringify(session)]]);
  }

  async putDecision(decision: DecisionRecord): Promise<void> {
    await this.writeHead(decision.sessionId, [[decision.kind === 'activation' ? ACTIVATION : CLOSURE, JSON.stringify(decision)]]);
  }

  async putFold(sessionId: string, fold: string): Promise<void> {
    await this.writeHead(sessionId, [[FOLD, fold]]);
  }

  async readHead(sessionId: string): Promise<CopiedHead> {
    const [generation, [fields, eventCount]] = await storeCall(async () => [
      await this.currentGeneration(),
      await this.reads.read((pipeline) => pipeline.hmget(this.headKey(sessionId), SESSION, COMPLETE, ACTIVATION, CLOSURE).hlen(this.eventsKey(sessionId))),
    ]);
    const [session, complete, activation, closure] = fields as (string | null)[];
    return {
      complete: complete === generation,
      session: session ? parseSession(session) : null,
      activation: activation ? parseDecision<ActivationRecord>(activation) : null,
      closure: closure ? parseDecision<ClosureRecord>(closure) : null,
      eventCount: Number(eventCount ?? 0),
    };
  }

  async readFold(sessionId: string): Promise<{ complete: boolean; fold: string | null }> {
    const [generation, [fields]] = await storeCall(async () => [await this.currentGeneration(), await this.reads.read((pipeline) => pipeline.hmget(this.headKey(sessionId), COMPLETE, FOLD))]);
    const [complete, fold] = fields as (string | null)[];
    return { complete: complete === generation, fold: fold ?? null };
  }

  async read(sessionId: string): Promise<CopiedSession> {
    const [head, fields] = await Promise.all([this.readHead(sessionId), storeCall(() => this.redis.hgetall(this.eventsKey(sessionId)))]);
    return { ...head, events: Object.values(fields).map(parseEvent) };
  }

  async readSession(sessionId: string): Promise<SessionRecord | null> {
    const [session] = await storeCall(() => this.reads.read((pipeline) => pipeline.hget(this.headKey(sessionId), SESSION)));
    return typeof session === 'string' ? parseSession(session) : null;
  }

  async readEvent(sessionId: string, eventId: string): Promise<StoredEvent | null> {
    const [event] = await storeCall(() => this.reads.read((pipeline) => pipeline.hget(this.eventsKey(sessionId), eventId)));
    return typeof event === 'string' ? parseEvent(event) : null;
  }

  async restore(records: SessionRecords): Promise<void> {
    const generation = await storeCall(() => this.currentGeneration());
    const head = this.headKey(records.session.id);
    const events = this.eventsKey(records.session.id);
    const multi = this.redis.multi().hset(head, SESSION, JSON.stringify(records.session));
    for (const event of records.events) multi.hsetnx(events, event.id, JSON.stringify(event));
    if (records.activation) multi.hset(head, ACTIVATION, JSON.stringify(records.activation));
    if (records.closure) multi.hset(head, CLOSURE, JSON.stringify(records.closure));
    multi.hset(head, COMPLETE, generation).expire(head, this.options.ttlSeconds).expire(events, this.options.ttlSeconds);
    await storeCall(() => multi.exec());
  }

  async drop(sessionId: string): Promise<void> {
    await storeCall(() => this.redis.del(this.headKey(sessionId), this.eventsKey(sessionId)));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private async writeHead(sessionId: string, pairs: [string, string][]): Promise<void> {
    const key = this.headKey(sessionId);
    await this.writes.submit((multi) => multi.hset(key, Object.fromEntries(pairs)).expire(key, this.options.ttlSeconds));
  }

  /** One MULTI for the batch; a write fails when one of its own commands did, or the MULTI as a whole. */
  private async commitWrites(batch: CopyWrite[]): Promise<WriteOutcome<void>[]> {
    const multi = this.redis.multi();
    const first = multi.length;
    const ends = batch.map((write) => {
      write(multi);
      return multi.length - first;
    });
    const replies = await storeCall(() => multi.exec());
    if (!replies) throw ServiceError.storeUnavailable(new Error('the session copy\'s MULTI was discarded'));
    return ends.map((end, index) => {
      const failed = replies.slice(index === 0 ? 0 : ends[index - 1], end).find(([error]) => error);
      return failed ? { ok: false, error: ServiceError.storeUnavailable(failed[0]) } : { ok: true, value: undefined };
    });
  }
}
