// The SessionStore the service runs on: the database decides and keeps the truth, a copy
// (Redis) answers the reads of the webhook path. Every write goes to the database first, then to
// the copy; every read tries the copy, and a copy that is not complete is rebuilt from the
// database before it is trusted. With the copy unreachable, reads come from the database alone
// (slower on FerretDB, never wrong); the writes then fail, so webhooks answer 503 and are retried.
// The sessions' kept folds live in the same copy (`folds`: CopiedSessionFolds).
import type { AppointmentUpdate, DecisionRecord, ExternalIdClaim, OpenSession, SessionHead, SessionRecord, SessionRecords, SessionStore, StoredEvent } from '../usecases/ports/SessionStore';
import { CopiedSessionFolds } from './CopiedSessionFolds';
import type { SessionCopy } from './SessionCopy';

export class CopiedSessionStore implements SessionStore {
  /** The kept folds, in the copy beside the records. */
  readonly folds: CopiedSessionFolds;

  constructor(
    private readonly database: SessionStore,
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
    const copied = await this.copy.read(sessionId).catch(() => null);
    if (copied?.session) return copied.session;
    const session = await this.database.findSession(sessionId);
    if (session && copied) await this.copy.putSession(session);
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
    const result = await this.database.recordEvent(event);
    await this.copy.addEvent(result.stored);
    return result;
  }

  async recordDecision(decision: DecisionRecord): Promise<{ created: boolean; winner: DecisionRecord }> {
    const result = await this.database.recordDecision(decision);
    await this.copy.putDecision(result.winner);
    return result;
  }
}
