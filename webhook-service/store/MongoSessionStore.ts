// The SessionStore over MongoDB or FerretDB through mongoose, and nothing else (its Redis copy
// is composed on top: CopiedSessionStore).
//
// Why only inserts: FerretDB runs findAndModify/update as read, filter, write in separate steps,
// so two concurrent conditional updates can both "win". A unique-index violation (E11000) is
// atomic on both databases, so every decision here is "insert; on E11000 read the winner":
// - a session holds its room through the room's slot (`room_slots._id` = room name);
// - an event is stored once under LiveKit's id (a redelivery fails);
// - a session leaves `waiting` once (`<id>.opening`) and `active` once (`<id>.closing`).
// Releasing the room deletes its slot.
import mongoose, { type Connection } from 'mongoose';
import type { ClosedStatus, EndReason, Role } from '../../plugin';
import { ServiceError } from '../errors';
import type { DecisionRecord, SessionHead, SessionRecord, SessionRecords, SessionStore, StoredEvent } from '../usecases/ports/SessionStore';
import { defineModels, type DecisionDoc, type Models, type SessionDoc, type SessionEventDoc } from './models';
import { assertIndexesExist, createCollectionsAndIndexes } from './indexes';

/** How long a call waits for a reachable server before failing, in ms: handlers must fail fast. */
const SERVER_SELECTION_TIMEOUT_MS = 3000;

/**
 * A room slot whose session document is still missing after this long was left by a crash
 * between the two inserts. A younger one may be a concurrent create about to write its session.
 */
const STALE_SLOT_MS = 30_000;

const isDuplicateKey = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

const toSession = (doc: SessionDoc): SessionRecord => ({
  id: doc._id,
  roomName: doc.roomName,
  studentIdentity: doc.studentIdentity,
  counselorIdentity: doc.counselorIdentity,
  scheduledStart: doc.scheduledStart ?? null,
  createdAt: doc.createdAt,
});

const toEvent = (doc: SessionEventDoc): StoredEvent => ({
  id: doc._id,
  sessionId: doc.sessionId,
  kind: doc.kind as StoredEvent['kind'],
  at: doc.at,
  participant:
    doc.participantSid !== null && doc.identity !== null
      ? {
          sid: doc.participantSid,
          identity: doc.identity,
          role: (doc.role ?? 'guest') as Role,
          attributes: Object.fromEntries((doc.attributes ?? []).map(({ key, value }) => [key, value])),
        }
      : null,
  receivedAt: doc.receivedAt,
  ...(doc.reconciled ? { reconciled: true } : {}),
});

const toEventDoc = (event: StoredEvent): SessionEventDoc => ({
  _id: event.id,
  sessionId: event.sessionId,
  kind: event.kind,
  at: event.at,
  participantSid: event.participant?.sid ?? null,
  identity: event.participant?.identity ?? null,
  role: event.participant?.role ?? null,
  attributes: Object.entries(event.participant?.attributes ?? {}).map(([key, value]) => ({ key, value })),
  receivedAt: event.receivedAt,
  reconciled: event.reconciled === true,
});

/** An activation, a cancellation or a no-show takes the opening; an end or a timeout the closing. */
const decisionKey = (decision: DecisionRecord): string =>
  `${decision.sessionId}.${decision.kind === 'activation' || decision.status !== 'ended' ? 'opening' : 'closing'}`;

const toDecisionDoc = (decision: DecisionRecord): DecisionDoc => ({
  _id: decisionKey(decision),
  sessionId: decision.sessionId,
  kind: decision.kind,
  startedAt: decision.kind === 'activation' ? decision.startedAt : null,
  status: decision.kind === 'closure' ? decision.status : null,
  reason: decision.kind === 'closure' ? decision.reason : null,
  at: decision.kind === 'closure' ? decision.at : null,
  endedAt: decision.kind === 'closure' ? decision.endedAt : null,
  messageId: decision.messageId,
  createdAt: decision.createdAt,
});

const toDecision = (doc: DecisionDoc): DecisionRecord =>
  doc.kind === 'activation'
    ? { kind: 'activation', sessionId: doc.sessionId, startedAt: doc.startedAt as Date, messageId: doc.messageId, createdAt: doc.createdAt }
    : {
        kind: 'closure',
        sessionId: doc.sessionId,
        status: doc.status as ClosedStatus,
        reason: doc.reason as EndReason,
        at: doc.at as Date,
        endedAt: doc.endedAt ?? null,
        messageId: doc.messageId,
        createdAt: doc.createdAt,
      };

export class MongoSessionStore implements SessionStore {
  private constructor(
    private readonly connection: Connection,
    private readonly models: Models,
  ) {}

  /** Connects and checks that the collections' indexes exist (`migrate` makes them) before any traffic relies on them. */
  static async connect(uri: string): Promise<MongoSessionStore> {
    const connection = mongoose.createConnection(uri, {
      serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
      // Without this, calls made while disconnected queue silently for 10 s instead of failing.
      bufferCommands: false,
      autoIndex: false,
    });
    try {
      await connection.asPromise();
      const models = defineModels(connection);
      await assertIndexesExist(Object.values(models));
      return new MongoSessionStore(connection, models);
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw ServiceError.storeUnavailable(error);
    }
  }

  /** Creates the collections and their indexes; idempotent. The migration step (`npm run migrate`), not every start. */
  static async migrate(uri: string): Promise<string[]> {
    const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS, autoIndex: false }).asPromise();
    try {
      return await createCollectionsAndIndexes(Object.values(defineModels(connection)));
    } finally {
      await connection.close();
    }
  }

  async createSession(session: SessionRecord): Promise<SessionRecord> {
    await this.holdRoom(session);
    try {
      const { id, ...fields } = session;
      await this.models.sessions.create({ _id: id, ...fields });
    } catch (error) {
      // Nothing half-written: give the room back before reporting the failure.
      await this.models.roomSlots.deleteOne({ _id: session.roomName, sessionId: session.id }).exec().catch(() => undefined);
      throw ServiceError.storeUnavailable(error);
    }
    return session;
  }

  /** Takes the room's slot, or fails with `session_conflict` while another session holds it. */
  private async holdRoom(session: SessionRecord, attempt = 1): Promise<void> {
    try {
      await this.models.roomSlots.create({ _id: session.roomName, sessionId: session.id, createdAt: session.createdAt });
      return;
    } catch (error) {
      if (!isDuplicateKey(error)) throw ServiceError.storeUnavailable(error);
    }
    const holder = await this.guard(() =>
      this.models.roomSlots.findById(session.roomName).lean<{ sessionId: string; createdAt: Date }>().exec(),
    );
    const stale =
      holder !== null &&
      attempt === 1 &&
      session.createdAt.getTime() - holder.createdAt.getTime() > STALE_SLOT_MS &&
      !(await this.findSession(holder.sessionId));
    if (stale) {
      await this.guard(() => this.models.roomSlots.deleteOne({ _id: session.roomName, sessionId: holder.sessionId }).exec());
    }
    if ((holder === null && attempt === 1) || stale) return this.holdRoom(session, attempt + 1);
    throw new ServiceError('session_conflict', 'the room already has a session that has not closed');
  }

  async findSession(sessionId: string): Promise<SessionRecord | null> {
    const doc = await this.guard(() => this.models.sessions.findById(sessionId).lean<SessionDoc>().exec());
    return doc ? toSession(doc) : null;
  }

  async loadRecords(sessionId: string): Promise<SessionRecords | null> {
    const [session, eventDocs, decisionDocs] = await this.guard(() =>
      Promise.all([
        this.findSession(sessionId),
        this.models.events.find({ sessionId }).lean<SessionEventDoc[]>().exec(),
        this.models.decisions.find({ sessionId }).lean<DecisionDoc[]>().exec(),
      ]),
    );
    if (!session) return null;
    const decisions = decisionDocs.map(toDecision);
    return {
      session,
      events: eventDocs.map(toEvent),
      activation: decisions.find((decision) => decision.kind === 'activation') ?? null,
      closure: (decisions.find((decision) => decision.kind === 'closure') as SessionRecords['closure'] | undefined) ?? null,
    };
  }

  async rebuildRecords(sessionId: string): Promise<SessionRecords | null> {
    return this.loadRecords(sessionId);
  }

  async listSessions(query: { from: Date | null; to: Date | null; after: { createdAt: Date; id: string } | null; limit: number }): Promise<SessionRecord[]> {
    const range: Record<string, Date> = {};
    if (query.from) range.$gte = query.from;
    if (query.to) range.$lt = query.to;
    const filter: Record<string, unknown> = Object.keys(range).length > 0 ? { createdAt: range } : {};
    if (query.after) {
      const { createdAt, id } = query.after;
      filter.$or = [{ createdAt: { $gt: createdAt } }, { createdAt, _id: { $gt: id } }];
    }
    const docs = await this.guard(() => this.models.sessions.find(filter).sort({ createdAt: 1, _id: 1 }).limit(query.limit).lean<SessionDoc[]>().exec());
    return docs.map(toSession);
  }

  async listClosedBefore(cutoff: Date, limit: number): Promise<string[]> {
    const docs = await this.guard(() =>
      this.models.decisions.find({ kind: 'closure', at: { $lt: cutoff } }).sort({ at: 1 }).limit(limit).lean<DecisionDoc[]>().exec(),
    );
    return docs.map((doc) => doc.sessionId);
  }

  async deleteSession(sessionId: string): Promise<void> {
    // The closure goes last: a pass cut short leaves it, so the next pass finds the session again.
    await this.guard(async () => {
      await this.models.events.deleteMany({ sessionId }).exec();
      await this.models.sessions.deleteOne({ _id: sessionId }).exec();
      await this.models.decisions.deleteMany({ sessionId }).exec();
    });
  }

  async listOpenSessions(afterRoom: string | null, limit: number): Promise<{ roomName: string; sessionId: string }[]> {
    // room_slots holds open sessions only, so this scan stays small on FerretDB too.
    const slots = await this.guard(() =>
      this.models.roomSlots
        .find(afterRoom === null ? {} : { _id: { $gt: afterRoom } })
        .sort({ _id: 1 })
        .limit(limit)
        .lean<{ _id: string; sessionId: string }[]>()
        .exec(),
    );
    return slots.map((slot) => ({ roomName: slot._id, sessionId: slot.sessionId }));
  }

  async loadHead(sessionId: string): Promise<SessionHead | null> {
    const records = await this.loadRecords(sessionId);
    if (!records) return null;
    return { session: records.session, activation: records.activation, closure: records.closure, eventCount: records.events.length, fold: null };
  }

  /** MongoDB keeps no fold: the state is rebuilt from the events (the copy in Redis keeps one). */
  async saveFold(): Promise<void> {}

  async findOpenSessionByRoom(roomName: string): Promise<SessionRecord | null> {
    const slot = await this.guard(() => this.models.roomSlots.findById(roomName).lean<{ sessionId: string }>().exec());
    return slot ? this.findSession(slot.sessionId) : null;
  }

  async releaseRoom(session: SessionRecord): Promise<void> {
    await this.guard(() => this.models.roomSlots.deleteOne({ _id: session.roomName, sessionId: session.id }).exec());
  }

  async recordEvent(event: StoredEvent): Promise<{ inserted: boolean; stored: StoredEvent }> {
    try {
      await this.models.events.create(toEventDoc(event));
      return { inserted: true, stored: event };
    } catch (error) {
      if (!isDuplicateKey(error)) throw ServiceError.storeUnavailable(error);
    }
    // A redelivery: what is stored may belong to an earlier session of the room.
    const existing = await this.guard(() => this.models.events.findById(event.id).lean<SessionEventDoc>().exec());
    if (!existing) throw new ServiceError('internal', `event ${event.id} was a duplicate but cannot be read`);
    return { inserted: false, stored: toEvent(existing) };
  }

  async recordDecision(decision: DecisionRecord): Promise<{ created: boolean; winner: DecisionRecord }> {
    try {
      await this.models.decisions.create(toDecisionDoc(decision));
      return { created: true, winner: decision };
    } catch (error) {
      if (!isDuplicateKey(error)) throw ServiceError.storeUnavailable(error);
    }
    const winner = await this.guard(() => this.models.decisions.findById(decisionKey(decision)).lean<DecisionDoc>().exec());
    if (!winner) throw new ServiceError('internal', `decision ${decisionKey(decision)} was a duplicate but cannot be read`);
    return { created: false, winner: toDecision(winner) };
  }

  async ping(): Promise<void> {
    await this.guard(async () => {
      const db = this.connection.db;
      if (!db) throw new Error('not connected');
      await db.admin().command({ ping: 1 });
    });
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Any database failure other than a duplicate key means "try again later" to callers. */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw error instanceof ServiceError ? error : ServiceError.storeUnavailable(error);
    }
  }
}
