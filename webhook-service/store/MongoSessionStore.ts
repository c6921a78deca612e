// The SessionStore over MongoDB or FerretDB through mongoose, on a connection of its own, with
// every session's records mirrored in Redis for reading (RedisSessionLog).
//
// Why only inserts: FerretDB runs findAndModify/update as read, filter, write in separate steps,
// so two concurrent conditional updates can both "win". A unique-index violation (E11000) is
// atomic on both databases, so every decision here is "insert; on E11000 read the winner":
// - a session holds its room through the room's slot (`room_slots._id` = room name);
// - an event is stored once under LiveKit's id (a redelivery fails);
// - a session is activated once under its own id (a racing second activation fails).
// Releasing the room deletes its slot. On the webhook path MongoDB is only written: reads come
// from the Redis mirror, and on a miss from `room_slots`, which holds open sessions alone, so
// no read grows with history, even on FerretDB, where no read uses an index (see RedisSessionLog).
import mongoose, { type Connection } from 'mongoose';
import type { Role } from '../../plugin';
import { ServiceError } from '../errors';
import { defineModels, type ActivationDoc, type Models, type SessionDoc, type SessionEventDoc } from './models';
import type { RedisSessionLog } from './RedisSessionLog';
import type { ActivationRecord, SessionRecord, SessionStore, StoredEvent } from '../usecases/ports/SessionStore';

/** How long a call waits for a reachable server before failing, in ms: handlers must fail fast. */
const SERVER_SELECTION_TIMEOUT_MS = 3000;

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

const toSessionDoc = (session: SessionRecord): SessionDoc => ({
  _id: session.id,
  roomName: session.roomName,
  studentIdentity: session.studentIdentity,
  counselorIdentity: session.counselorIdentity,
  scheduledStart: session.scheduledStart,
  createdAt: session.createdAt,
});

const sortByTime = (events: StoredEvent[]): StoredEvent[] =>
  events.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

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
});

const toActivation = (doc: ActivationDoc): ActivationRecord => ({
  sessionId: doc._id,
  startedAt: doc.startedAt,
  messageId: doc.messageId,
  createdAt: doc.createdAt,
});

export class MongoSessionStore implements SessionStore {
  private constructor(
    private readonly connection: Connection,
    private readonly models: Models,
    private readonly log: RedisSessionLog,
  ) {}

  /** Connects and makes sure the collections and indexes exist before any traffic relies on them. */
  static async connect(uri: string, log: RedisSessionLog): Promise<MongoSessionStore> {
    const connection = mongoose.createConnection(uri, {
      serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
      // Without this, calls made while disconnected queue silently for 10 s instead of failing.
      bufferCommands: false,
      autoIndex: false,
    });
    try {
      await connection.asPromise();
      const models = defineModels(connection);
      for (const model of Object.values(models)) {
        await model.createCollection().catch((error: unknown) => {
          // 48 = NamespaceExists: another instance created it first.
          if ((error as { code?: unknown }).code !== 48) throw error;
        });
        await model.createIndexes();
      }
      await log.connect();
      return new MongoSessionStore(connection, models, log);
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw ServiceError.storeUnavailable(error);
    }
  }

  async createSession(session: SessionRecord): Promise<SessionRecord> {
    // The mirror first: a session whose hash is not marked complete would be rebuilt by a scan.
    await this.log.start(session);
    await this.holdRoom(session);
    try {
      await this.models.sessions.create(toSessionDoc(session));
    } catch (error) {
      // Nothing half-written: give the room back before reporting the failure.
      await this.models.roomSlots.deleteOne({ _id: session.roomName, sessionId: session.id }).exec().catch(() => undefined);
      throw ServiceError.storeUnavailable(error);
    }
    // Only a mirror: without it the room is found in MongoDB.
    await this.log.putRoom(session.roomName, session.id).catch(() => undefined);
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
    const holder = await this.guard(() => this.models.roomSlots.findById(session.roomName).lean<{ sessionId: string }>().exec());
    // A slot whose session was never written (a crash between the two inserts) is stale; any
    // other holder is a session not yet ended.
    const stale = holder !== null && attempt === 1 && !(await this.sessionInMongo(holder.sessionId));
    if (stale) {
      await this.guard(() => this.models.roomSlots.deleteOne({ _id: session.roomName, sessionId: holder.sessionId }).exec());
    }
    if (holder === null || stale) return this.holdRoom(session, attempt + 1);
    throw new ServiceError('session_conflict', 'the room already has a session that has not ended');
  }

  private async sessionInMongo(sessionId: string): Promise<SessionRecord | null> {
    const doc = await this.guard(() => this.models.sessions.findById(sessionId).lean<SessionDoc>().exec());
    return doc ? toSession(doc) : null;
  }

  async findSession(sessionId: string): Promise<SessionRecord | null> {
    const mirrored = await this.log.read(sessionId).catch(() => null);
    if (mirrored?.session) return mirrored.session;
    const session = await this.sessionInMongo(sessionId);
    if (session && mirrored) await this.log.putSession(session);
    return session;
  }

  async findOpenSessionByRoom(roomName: string): Promise<SessionRecord | null> {
    const mirroredId = await this.log.roomSession(roomName);
    if (mirroredId) {
      // A mirror that missed a release could still name an ended session: then ask MongoDB.
      const mirrored = await this.log.read(mirroredId);
      const ended = mirrored.events.some((event) => event.kind === 'room_finished');
      if (mirrored.session && !ended) return mirrored.session;
    }
    const slot = await this.guard(() => this.models.roomSlots.findById(roomName).lean<{ sessionId: string }>().exec());
    if (!slot) return null;
    await this.log.putRoom(roomName, slot.sessionId);
    return this.findSession(slot.sessionId);
  }

  async releaseRoom(session: SessionRecord): Promise<void> {
    // The slot is small (open sessions only), so this two-field filter scans little on FerretDB.
    await this.guard(() => this.models.roomSlots.deleteOne({ _id: session.roomName, sessionId: session.id }).exec());
    await this.log.dropRoom(session.roomName, session.id);
  }

  async recordEvent(event: StoredEvent): Promise<{ inserted: boolean; stored: StoredEvent }> {
    try {
      await this.models.events.create(toEventDoc(event));
      await this.log.add(event);
      return { inserted: true, stored: event };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error instanceof ServiceError ? error : ServiceError.storeUnavailable(error);
    }
    // A redelivery. An event id names one event, so what this session's log holds under it is
    // this very event; only when the log lacks it is the stored one read back (it may belong to
    // an earlier session of the room, or the first delivery stopped before mirroring it).
    if (await this.log.hasEvent(event.sessionId, event.id)) return { inserted: false, stored: event };
    const existing = await this.guard(() => this.models.events.findById(event.id).lean<SessionEventDoc>().exec());
    if (!existing) throw new ServiceError('internal', `event ${event.id} was a duplicate but cannot be read`);
    const stored = toEvent(existing);
    await this.log.add(stored);
    return { inserted: false, stored };
  }

  async listEvents(sessionId: string): Promise<StoredEvent[]> {
    return sortByTime((await this.mirror(sessionId)).events);
  }

  async recordActivation(activation: ActivationRecord): Promise<{ created: boolean; activation: ActivationRecord }> {
    let result: { created: boolean; activation: ActivationRecord } = { created: true, activation };
    try {
      await this.models.activations.create({
        _id: activation.sessionId,
        startedAt: activation.startedAt,
        messageId: activation.messageId,
        createdAt: activation.createdAt,
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw ServiceError.storeUnavailable(error);
      const winner = await this.guard(() => this.models.activations.findById(activation.sessionId).lean<ActivationDoc>().exec());
      if (!winner) throw new ServiceError('internal', `activation of ${activation.sessionId} was a duplicate but cannot be read`);
      result = { created: false, activation: toActivation(winner) };
    }
    await this.log.putActivation(result.activation);
    return result;
  }

  async findActivation(sessionId: string): Promise<ActivationRecord | null> {
    return (await this.mirror(sessionId)).activation;
  }

  /**
   * The session's events and activation from its Redis hash, rebuilt from MongoDB when the hash
   * is not complete. With Redis away they come from MongoDB alone (slower on FerretDB, never
   * wrong), so attendance stays readable; the webhook path fails on Redis anyway (503).
   */
  private async mirror(sessionId: string): Promise<{ events: StoredEvent[]; activation: ActivationRecord | null }> {
    const mirrored = await this.log.read(sessionId).catch(() => undefined);
    if (mirrored?.complete) return mirrored;
    const [docs, activationDoc] = await this.guard(() =>
      Promise.all([
        this.models.events.find({ sessionId }).lean<SessionEventDoc[]>().exec(),
        this.models.activations.findById(sessionId).lean<ActivationDoc>().exec(),
      ]),
    );
    const rebuilt = { events: docs.map(toEvent), activation: activationDoc ? toActivation(activationDoc) : null };
    if (mirrored) await this.log.restore(sessionId, rebuilt.events, rebuilt.activation);
    return rebuilt;
  }

  async ping(): Promise<void> {
    await this.guard(async () => {
      const db = this.connection.db;
      if (!db) throw new Error('not connected');
      await db.admin().command({ ping: 1 });
    });
  }

  async close(): Promise<void> {
    await this.log.close();
    await this.connection.close();
  }

  /** Any database failure other than a duplicate key means "try again later" to callers. */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw ServiceError.storeUnavailable(error);
    }
  }
}
