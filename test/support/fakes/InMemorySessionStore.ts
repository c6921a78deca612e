// A SessionStore in memory, with its SessionFolds (`folds`), for unit tests of the use cases. It
// keeps the ports' promises the way the real adapters do (unique keys decide, the winner is
// returned, a session is open until finished, deleting a session forgets its fold) and runs the
// same conformance suite as they do, so it cannot drift from them.
import { decodeFold, encodeFold } from '../../../plugin';
import { ServiceError } from '../../../webhook-service/errors';
import type { SessionFolds } from '../../../webhook-service/usecases/ports/SessionFolds';
import type { AppointmentUpdate, DecisionRecord, ExternalIdClaim, OpenSession, SessionHead, SessionRecord, SessionRecords, SessionStore, StoredEvent } from '../../../webhook-service/usecases/ports/SessionStore';

const copy = <T>(value: T): T => structuredClone(value);
const keyOf = (decision: DecisionRecord): string =>
  `${decision.sessionId}.${decision.kind === 'activation' || decision.status !== 'ended' ? 'opening' : 'closing'}`;

export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly open = new Map<string, OpenSession>();
  private readonly externalIds = new Map<string, ExternalIdClaim>();
  private readonly events = new Map<string, StoredEvent>();
  private readonly decisions = new Map<string, DecisionRecord>();
  private readonly keptFolds = new Map<string, string>();
  /** Set to make every call fail as the database being away does. */
  unavailable = false;
  /** The kept folds, in the text form the real keepers write, failing with the store when it is set unavailable. */
  readonly folds: SessionFolds = {
    read: async (sessionId) => {
      this.check();
      const text = this.keptFolds.get(sessionId);
      return text === undefined ? null : decodeFold(text);
    },
    keep: async (sessionId, fold) => {
      this.check();
      this.keptFolds.set(sessionId, encodeFold(fold));
    },
  };

  /** Damages the session's kept fold as a torn or foreign write would (it no longer reads back). */
  damageFold(sessionId: string): void {
    this.keptFolds.set(sessionId, '1:{"v":2,"state":');
  }

  async createSession(session: SessionRecord): Promise<{ created: boolean; session: SessionRecord }> {
    this.check();
    if (!this.open.has(session.id)) this.open.set(session.id, { sessionId: session.id, roomName: session.roomName, createdAt: session.createdAt });
    const existing = this.sessions.get(session.id);
    if (existing) return { created: false, session: copy(existing) };
    this.sessions.set(session.id, copy(session));
    return { created: true, session };
  }

  async claimExternalId(claim: ExternalIdClaim): Promise<{ claimed: boolean; claim: ExternalIdClaim }> {
    this.check();
    const key = JSON.stringify([claim.clinicId, claim.externalId]);
    const existing = this.externalIds.get(key);
    if (existing) return { claimed: false, claim: copy(existing) };
    this.externalIds.set(key, copy(claim));
    return { claimed: true, claim };
  }

  async findExternalId(clinicId: string, externalId: string): Promise<ExternalIdClaim | null> {
    this.check();
    return copy(this.externalIds.get(JSON.stringify([clinicId, externalId])) ?? null);
  }

  async findSession(sessionId: string): Promise<SessionRecord | null> {
    this.check();
    const session = this.sessions.get(sessionId);
    return session ? copy(session) : null;
  }

  async loadRecords(sessionId: string): Promise<SessionRecords | null> {
    const head = this.head(sessionId);
    if (!head) return null;
    return { session: head.session, activation: head.activation, closure: head.closure, events: this.eventsOf(sessionId).map(copy) };
  }

  private eventsOf(sessionId: string): StoredEvent[] {
    return [...this.events.values()].filter((event) => event.sessionId === sessionId);
  }

  private head(sessionId: string): Omit<SessionRecords, 'events'> | null {
    this.check();
    const session = this.sessions.get(sessionId);
    if (!session) return null;
    const decisions = [this.decisions.get(`${sessionId}.opening`), this.decisions.get(`${sessionId}.closing`)].filter((decision) => decision !== undefined);
    return {
      session: copy(session),
      activation: copy(decisions.find((decision) => decision.kind === 'activation') ?? null),
      closure: copy((decisions.find((decision) => decision.kind === 'closure') as SessionRecords['closure'] | undefined) ?? null),
    };
  }

  async rebuildRecords(sessionId: string): Promise<SessionRecords | null> {
    return this.loadRecords(sessionId);
  }

  async listSessions(query: Parameters<SessionStore['listSessions']>[0]): Promise<SessionRecord[]> {
    this.check();
    const key = (session: { createdAt: Date; id: string }) => `${session.createdAt.toISOString()}|${session.id}`;
    return [...this.sessions.values()]
      .filter((session) => session.clinicId === query.clinicId)
      .filter((session) => (!query.from || session.createdAt >= query.from) && (!query.to || session.createdAt < query.to))
      .filter((session) => !query.after || key(session) > key(query.after))
      .sort((a, b) => (key(a) < key(b) ? -1 : 1))
      .slice(0, query.limit)
      .map(copy);
  }

  async listClosedBefore(cutoff: Date, limit: number): Promise<string[]> {
    this.check();
    return [...this.decisions.values()]
      .filter((decision) => decision.kind === 'closure' && decision.at < cutoff)
      .sort((a, b) => (a as { at: Date }).at.getTime() - (b as { at: Date }).at.getTime())
      .slice(0, limit)
      .map((decision) => decision.sessionId);
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.check();
    for (const [id, event] of this.events) if (event.sessionId === sessionId) this.events.delete(id);
    const session = this.sessions.get(sessionId);
    const key = session?.externalId ? JSON.stringify([session.clinicId, session.externalId]) : null;
    if (key && this.externalIds.get(key)?.sessionId === sessionId) this.externalIds.delete(key);
    this.open.delete(sessionId);
    this.sessions.delete(sessionId);
    this.keptFolds.delete(sessionId);
    this.decisions.delete(`${sessionId}.opening`);
    this.decisions.delete(`${sessionId}.closing`);
  }

  async listOpenSessions(afterSessionId: string | null, limit: number): Promise<OpenSession[]> {
    this.check();
    return [...this.open.values()]
      .filter((open) => afterSessionId === null || open.sessionId > afterSessionId)
      .sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1))
      .slice(0, limit)
      .map(copy);
  }

  async loadHead(sessionId: string): Promise<SessionHead | null> {
    const head = this.head(sessionId);
    if (!head) return null;
    return { ...head, eventCount: this.eventsOf(sessionId).length };
  }

  async changeAppointment(sessionId: string, update: AppointmentUpdate): Promise<SessionRecord | null> {
    this.check();
    const session = this.sessions.get(sessionId);
    if (!session) return null;
    const { participants: _before, ...rest } = session;
    const { participants, ...pair } = update;
    const updated: SessionRecord = { ...rest, ...pair, ...(participants && participants.length > 0 ? { participants: participants.map((entry) => ({ ...entry })) } : {}) };
    this.sessions.set(sessionId, updated);
    return copy(updated);
  }

  async findOpenSessionByRoom(roomName: string): Promise<SessionRecord | null> {
    this.check();
    const open = [...this.open.values()].find((entry) => entry.roomName === roomName);
    return open ? this.findSession(open.sessionId) : null;
  }

  async finishSession(sessionId: string): Promise<void> {
    this.check();
    this.open.delete(sessionId);
  }

  async recordEvent(event: StoredEvent): Promise<{ inserted: boolean; stored: StoredEvent }> {
    this.check();
    const existing = this.events.get(event.id);
    if (existing) return { inserted: false, stored: copy(existing) };
    this.events.set(event.id, copy(event));
    return { inserted: true, stored: event };
  }

  async recordDecision(decision: DecisionRecord): Promise<{ created: boolean; winner: DecisionRecord }> {
    this.check();
    const existing = this.decisions.get(keyOf(decision));
    if (existing) return { created: false, winner: copy(existing) };
    this.decisions.set(keyOf(decision), copy(decision));
    return { created: true, winner: decision };
  }

  private check(): void {
    if (this.unavailable) throw ServiceError.storeUnavailable(new Error('in-memory store set unavailable'));
  }
}
