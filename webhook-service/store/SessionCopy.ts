// What CopiedSessionStore and CopiedSessionFolds need of a fast copy of the session records: a
// session's head (the session, its decisions, its event count) and its kept fold, each in one
// cheap read, all of its records
// when a state must be rebuilt, and which session holds a room. The copy repeats what MongoDB
// decided and never decides anything itself; `complete: false` means it must be rebuilt before
// it is trusted.
import type { DecisionRecord, SessionRecord, SessionRecords, StoredEvent } from '../usecases/ports/SessionStore';

export interface CopiedHead {
  /** The copy holds all of the session's records (as far as it can tell). */
  complete: boolean;
  session: SessionRecord | null;
  activation: SessionRecords['activation'];
  closure: SessionRecords['closure'];
  eventCount: number;
}

export interface CopiedSession extends CopiedHead {
  events: StoredEvent[];
}

export interface SessionCopy {
  connect(): Promise<void>;
  /** A new session: its records are empty and complete. */
  start(session: SessionRecord): Promise<void>;
  readHead(sessionId: string): Promise<CopiedHead>;
  /** The session's kept fold, and whether the copy holding it is complete. */
  readFold(sessionId: string): Promise<{ complete: boolean; fold: string | null }>;
  read(sessionId: string): Promise<CopiedSession>;
  /** The session's record alone (one field: never its events), whether or not the copy is complete. */
  readSession(sessionId: string): Promise<SessionRecord | null>;
  /** One copied event of the session, by its id; null when the copy does not hold it. */
  readEvent(sessionId: string, eventId: string): Promise<StoredEvent | null>;
  putSession(session: SessionRecord): Promise<void>;
  /** Keeps the first copy of an event id. */
  addEvent(event: StoredEvent): Promise<void>;
  putDecision(decision: DecisionRecord): Promise<void>;
  putFold(sessionId: string, fold: string): Promise<void>;
  /** Writes what was rebuilt from the database and marks the copy complete. */
  restore(records: SessionRecords): Promise<void>;
  /** Forgets everything copied of the session. */
  drop(sessionId: string): Promise<void>;
  close(): Promise<void>;
}
