// The storage port the use cases ask for. Every state change it offers is a unique insert (or
// the room's release), because FerretDB's conditional updates are not atomic: see the design
// notes in store/MongoSessionStore.ts.
import type { ParticipantEventKind, RoomEventKind, Role } from '../../../plugin';

export interface SessionRecord {
  id: string;
  roomName: string;
  studentIdentity: string;
  counselorIdentity: string;
  scheduledStart: Date | null;
  createdAt: Date;
}

export interface StoredEvent {
  /** LiveKit's event id: the dedupe key. */
  id: string;
  sessionId: string;
  kind: ParticipantEventKind | RoomEventKind;
  /** LiveKit's time for the event. */
  at: Date;
  participant: { sid: string; identity: string; role: Role; attributes: Record<string, string> } | null;
  receivedAt: Date;
}

export interface ActivationRecord {
  sessionId: string;
  startedAt: Date;
  /** Carried by every send of session_started for this session, so receivers drop repeats. */
  messageId: string;
  createdAt: Date;
}

export interface SessionStore {
  /** Throws ServiceError `session_conflict` when the room already has a session not ended. */
  createSession(session: SessionRecord): Promise<SessionRecord>;
  findSession(sessionId: string): Promise<SessionRecord | null>;
  /** The session holding the room, if any. */
  findOpenSessionByRoom(roomName: string): Promise<SessionRecord | null>;
  /** Frees the room for a next session; idempotent. */
  releaseRoom(session: SessionRecord): Promise<void>;
  /** Inserts the event, or returns the one already stored under its id. */
  recordEvent(event: StoredEvent): Promise<{ inserted: boolean; stored: StoredEvent }>;
  /** The session's events in LiveKit time order. */
  listEvents(sessionId: string): Promise<StoredEvent[]>;
  /** Inserts the activation, or returns the one already stored: exactly one per session. */
  recordActivation(activation: ActivationRecord): Promise<{ created: boolean; activation: ActivationRecord }>;
  findActivation(sessionId: string): Promise<ActivationRecord | null>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
