// The SessionStore the service runs on: the database decides and keeps the truth, a copy
// (Redis) answers the reads of the webhook path. Every write goes to the database first, then to
// the copy; every read tries the copy, and a copy that is not complete is rebuilt from the
// database before it is trusted. With the copy unreachable, reads come from the database alone
// (slower on FerretDB, never wrong); the writes then fail, so webhooks answer 503 and are retried.
// The sessions' kept folds live in the same copy (`folds`: CopiedSessionFolds).
import type { AppointmentUpdate, DecisionRecord, ExternalIdClaim, OpenSession, SessionHead, SessionRecord, SessionRecords, SessionStore, StoredEvent } from '../usecases/ports/SessionStore';
import { ServiceError } from '../errors';
import { CopiedSessionFolds } from './CopiedSessionFolds';
import type { SessionCopy } from './SessionCopy';

/** The database under the copy: the SessionStore, with an event's insert and its read by id apart (a redelivery is read from the copy first). */
export interface CopiedDatabase extends SessionStore {
  /** Stores the event: true when it was new, false when its id was stored already. */
  insertEvent(event: StoredEvent): Promise<boolean>;
  findEvent(eventId: string): Promise<StoredEvent | null>;
}

export class CopiedSessionStore implements SessionStore {
  /** The kept folds, in the copy beside the records. */
  readonly folds: CopiedSessionFolds;

  constructor(
    private readonly database: CopiedDatabase,
    private readonly copy: SessionCopy,
  ) {
    this.folds = new CopiedSessionFolds(copy);
  }

  async createSession(session: SessionRecord): Promise<{ created: boolean; session: SessionRecord }> {
    const result = await this.database.createSession(session);
    // Only a new session starts an empty copy: a repeated create must not mark an older copy complete.
    if (result.created) await this.copy.start(session);
    return result;
  }

  async claimExternalId(claim: ExternalIdClaim): Promise<{ claimed: boolean; claim: ExternalIdClaim }> {
    return this.database.claimExternalId(claim);
  }

  async findExternalId(clinicId: string, externalId: string): Promise<ExternalIdClaim | null> {
    return this.database.findExternalId(clinicId, externalId);
  }

  async findSession(sessionId: string): Promise<SessionRecord | null> {
    // Every webhook asks: the record's one field, never the session's events.
    let copied: SessionRecord | null;
    try {
      copied = await this.copy.readSession(sessionId);
    } catch {
      return this.database.findSession(sessionId);
    }
    if (copied) return copied;
    const session = await this.database.findSession(sessionId);
    if (session) await this.copy.putSession(session);
    return session;
  }

  async loadRecords(sessionId: string): Promise<SessionRecords | null> {
    const copied = await this.copy.read(sessionId).catch(() => null);
    if (copied?.complete && copied.session) {
      return { session: copied.session, events: copied.events, activation: copied.activation, closure: copied.closure };
    }
    const records = await this.database.loadRecords(sessionId);
    if (records && copied) await this.copy.restore(records);
    return records;
  }

  async rebuildRecords(sessionId: string): Promise<SessionRecords | null> {
    const records = await this.database.loadRecords(sessionId);
    if (records) await this.copy.restore(records);
    return records;
  }

  async listSessions(query: Parameters<SessionStore['listSessions']>[0]): Promise<SessionRecord[]> {
    return this.database.listSessions(query);
  }

  async listClosedBefore(cutoff: Date, limit: number): Promise<string[]> {
    return this.database.listClosedBefore(cutoff, limit);
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.database.deleteSession(sessionId);
    await this.copy.drop(sessionId);
  }

  async listOpenSessions(afterSessionId: string | null, limit: number): Promise<OpenSession[]> {
    return this.database.listOpenSessions(afterSessionId, limit);
  }

  async loadHead(sessionId: string): Promise<SessionHead | null> {
    const copied = await this.copy.readHead(sessionId).catch(() => null);
    if (copied?.complete && copied.session) {
      const { session, activation, closure, eventCount } = copied;
      return { session, activation, closure, eventCount };
    }
    // Not copied whole: rebuild the copy (read while it was not complete, the fold was not trusted).
    const records = await this.loadRecords(sessionId);
    if (!records) return null;
    return { session: records.session, activation: records.activation, closure: records.closure, eventCount: records.events.length };
  }

  async changeAppointment(sessionId: string, update: AppointmentUpdate): Promise<SessionRecord | null> {
    const session = await this.database.changeAppointment(sessionId, update);
    if (session) await this.copy.putSession(session);
    return session;
  }

  async findOpenSessionByRoom(roomName: string): Promise<SessionRecord | null> {
    return this.database.findOpenSessionByRoom(roomName);
  }

  async finishSession(sessionId: string): Promise<void> {
    await this.database.finishSession(sessionId);
  }

  async recordEvent(event: StoredEvent): Promise<{ inserted: boolean; stored: StoredEvent }> {
    if (await this.database.insertEvent(event)) {
      await this.copy.addEvent(event);
      return { inserted: true, stored: event };
    }
    // A redelivery. The copy holds the stored event when this session stored it (an event is
    // copied only once the database has it), read by its id; an event of an earlier session of
    // the room, or one a lost or rebuilt copy does not hold, is read from the database (on
    // FerretDB a pass over the events: see MongoSessionStore.findEvent) and copied again.
    const copied = await this.copy.readEvent(event.sessionId, event.id).catch(() => null);
    if (copied) return { inserted: false, stored: copied };
    const stored = await this.database.findEvent(event.id);
    if (!stored) throw new ServiceError('internal', `event ${event.id} was a duplicate but cannot be read`);
    await this.copy.addEvent(stored);
    return { inserted: false, stored };
  }

  async recordDecision(decision: DecisionRecord): Promise<{ created: boolean; winner: DecisionRecord }> {
    const result = await this.database.recordDecision(decision);
    await this.copy.putDecision(result.winner);
    return result;
  }
}
