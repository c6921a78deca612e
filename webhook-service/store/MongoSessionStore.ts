// The SessionStore over MongoDB or FerretDB through mongoose, on a connection of its own.
//
// Why only inserts: FerretDB runs findAndModify/update as read, filter, write in separate steps,
// so two concurrent conditional updates can both "win". A unique-index violation (E11000) is
// atomic on both databases, so every decision here is "insert; on E11000 read the winner":
// - a session holds its room through the unique `roomSlot` (a second open session fails);
// - an event is stored once under LiveKit's id (a redelivery fails);
// - a session is activated once under its own id (a racing second activation fails).
// The one update, releasing the room, is a deterministic $set that any number of writers agree on.
import mongoose, { type Connection } from 'mongoose';
import type { Role } from '../../plugin';
import { ServiceError } from '../errors';
import { defineModels, type ActivationDoc, type Models, type SessionDoc, type SessionEventDoc } from './models';
import type { ActivationRecord, SessionRecord, SessionStore, StoredEvent } from './SessionStore';

/** How long a call waits for a reachable server before failing, in ms: handlers must fail fast. */
const SERVER_SELECTION_TIMEOUT_MS = 3000;

const isDuplicateKey = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

const endedSlot = (session: { id: string; roomName: string }): string => `${session.roomName}#ended#${session.id}`;

const toSession = (doc: SessionDoc): SessionRecord => ({
  id: doc._id,
  roomName: doc.roomName,
  studentIdentity: doc.studentIdentity,
  counselorIdentity: doc.counselorIdentity,
  scheduledStart: doc.scheduledStart ?? null,
  createdAt: doc.createdAt,
  holdsRoom: doc.roomSlot === doc.roomName,
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
  ) {}

  /** Connects and makes sure the unique indexes exist before any traffic relies on them. */
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
      for (const model of Object.values(models)) {
        await model.createCollection().catch((error: unknown) => {
          // 48 = NamespaceExists: another instance created it first.
          if ((error as { code?: unknown }).code !== 48) throw error;
        });
        await model.createIndexes();
      }
      return new MongoSessionStore(connection, models);
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw ServiceError.storeUnavailable(error);
    }
  }

  async createSession(session: Omit<SessionRecord, 'holdsRoom'>): Promise<SessionRecord> {
    const doc: SessionDoc = {
      _id: session.id,
      roomName: session.roomName,
      roomSlot: session.roomName,
      studentIdentity: session.studentIdentity,
      counselorIdentity: session.counselorIdentity,
      scheduledStart: session.scheduledStart,
      createdAt: session.createdAt,
    };
    try {
      await this.models.sessions.create(doc);
      return toSession(doc);
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw new ServiceError('session_conflict', 'the room already has a session that has not ended', { cause: error });
      }
      throw ServiceError.storeUnavailable(error);
    }
  }

  async findSession(sessionId: string): Promise<SessionRecord | null> {
    const doc = await this.guard(() => this.models.sessions.findById(sessionId).lean<SessionDoc>().exec());
    return doc ? toSession(doc) : null;
  }

  async findOpenSessionByRoom(roomName: string): Promise<SessionRecord | null> {
    const doc = await this.guard(() => this.models.sessions.findOne({ roomSlot: roomName }).lean<SessionDoc>().exec());
    return doc ? toSession(doc) : null;
  }

  async releaseRoom(session: SessionRecord): Promise<void> {
    await this.guard(() => this.models.sessions.updateOne({ _id: session.id }, { $set: { roomSlot: endedSlot(session) } }).exec());
  }

  async recordEvent(event: StoredEvent): Promise<{ inserted: boolean; stored: StoredEvent }> {
    try {
      await this.models.events.create(toEventDoc(event));
      return { inserted: true, stored: event };
    } catch (error) {
      if (!isDuplicateKey(error)) throw ServiceError.storeUnavailable(error);
    }
    const existing = await this.guard(() => this.models.events.findById(event.id).lean<SessionEventDoc>().exec());
    if (!existing) throw new ServiceError('internal', `event ${event.id} was a duplicate but cannot be read`);
    return { inserted: false, stored: toEvent(existing) };
  }

  async listEvents(sessionId: string): Promise<StoredEvent[]> {
    const docs = await this.guard(() =>
      this.models.events.find({ sessionId }).sort({ at: 1, _id: 1 }).lean<SessionEventDoc[]>().exec(),
    );
    return docs.map(toEvent);
  }

  async recordActivation(activation: ActivationRecord): Promise<{ created: boolean; activation: ActivationRecord }> {
    try {
      await this.models.activations.create({
        _id: activation.sessionId,
        startedAt: activation.startedAt,
        messageId: activation.messageId,
        createdAt: activation.createdAt,
      });
      return { created: true, activation };
    } catch (error) {
      if (!isDuplicateKey(error)) throw ServiceError.storeUnavailable(error);
    }
    const winner = await this.findActivation(activation.sessionId);
    if (!winner) throw new ServiceError('internal', `activation of ${activation.sessionId} was a duplicate but cannot be read`);
    return { created: false, activation: winner };
  }

  async findActivation(sessionId: string): Promise<ActivationRecord | null> {
    const doc = await this.guard(() => this.models.activations.findById(sessionId).lean<ActivationDoc>().exec());
    return doc ? toActivation(doc) : null;
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
      throw ServiceError.storeUnavailable(error);
    }
  }
}
