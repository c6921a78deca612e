// The storage port the use cases ask for. Every decision it records is a unique insert, because
// FerretDB's conditional updates are not atomic: a session is created once under its id, a
// clinic's appointment id names one session, a session leaves `waiting` once (started, cancelled
// or no-show: whichever insert wins) and leaves `active` once (ended by the clinic or timed out).
// See store/MongoSessionStore.ts. The kept state of a session is not a record: SessionFolds keeps
// it. Opening, checking and closing the store are the composition root's, not the use cases'.
import type { AppointmentParticipant, ClosedStatus, EndReason, GroupStart, ObservationKind, ParticipantEventKind, RoomEventKind, Role } from '../../../plugin';

export interface SessionRecord {
  id: string;
  /** The session's own LiveKit room, named by the service from its id and never reused. */
  roomName: string;
  /** The clinic (tenant) whose key created it: no other clinic's key can see or touch it. */
  clinicId: string;
  /** The clinic's id for the appointment (its retry key), if it gave one. */
  externalId: string | null;
  studentIdentity: string;
  counselorIdentity: string;
  /** Everyone else on the appointment (absent or empty: the pair alone). */
  participants?: readonly AppointmentParticipant[];
  /** A group session's start rule (absent or null: every required participant). */
  group?: GroupStart | null;
  /**
   * Whether the people in the call are told that an observer is present (the clinic's setting).
   * Absent: true, the default (and every session stored before the setting existed).
   */
  observersDisclosed?: boolean;
  scheduledStart: Date | null;
  createdAt: Date;
  /** When the clinic last changed the appointment's people (absent: never since its creation). */
  appointmentChangedAt?: Date | null;
}

/** The appointment's people after a change: the pair (which a removal may hand on) and everyone else. */
export type AppointmentUpdate = Pick<SessionRecord, 'studentIdentity' | 'counselorIdentity' | 'participants'> & { appointmentChangedAt: Date };

export interface StoredEvent {
  /** LiveKit's event id: the dedupe key. */
  id: string;
  sessionId: string;
  kind: ParticipantEventKind | ObservationKind | RoomEventKind;
  /** LiveKit's time for the event. */
  at: Date;
  participant: { sid: string; identity: string; role: Role; attributes: Record<string, string> } | null;
  receivedAt: Date;
  /** Recorded by reconciliation from LiveKit's API (its webhook never came), not by a webhook. */
  reconciled?: boolean;
  /** For a reconciled event: what it was inferred from. */
  evidence?: ReconcileEvidence;
}

/** What a reconciliation pass saw when it recorded an event. */
export interface ReconcileEvidence {
  /** How LiveKit answered: the room's participants, or no such room. */
  source: 'list_participants' | 'room_not_found';
  /** When the listing was asked for and when it came back (epoch ms). */
  requestedAt: number;
  takenAt: number;
  /** How many participants it listed. */
  listed: number;
}

/** A clinic's appointment id, bound to the session created for it and the request that created it. */
export interface ExternalIdClaim {
  /** Appointment ids are the clinic's own: two clinics may use the same one. */
  clinicId: string;
  externalId: string;
  sessionId: string;
  /** The creating request's fields in a canonical form: a repeat must match it. */
  fingerprint: string;
  createdAt: Date;
}

/** A session the service still owes work: open, or closed with its close not finished. */
export interface OpenSession {
  sessionId: string;
  roomName: string;
  /** When it was listed (its creation): an entry whose session never got written is removed only once old. */
  createdAt: Date;
}

/** The session turned active. */
export interface ActivationRecord {
  kind: 'activation';
  sessionId: string;
  startedAt: Date;
  /** Carried by every send of session_started for this session, so receivers drop repeats. */
  messageId: string;
  createdAt: Date;
}

/** The session closed for good. */
export interface ClosureRecord {
  kind: 'closure';
  sessionId: string;
  status: ClosedStatus;
  reason: EndReason;
  /** When it closed (the input's time). */
  at: Date;
  /** For `ended`: the end of the session (the clinic's request, or the last leave for a timeout). */
  endedAt: Date | null;
  /** Carried by every send of session_ended for this session. */
  messageId: string;
  createdAt: Date;
}

export type DecisionRecord = ActivationRecord | ClosureRecord;

/** Everything recorded about one session. */
export interface SessionRecords {
  session: SessionRecord;
  /** In no particular order: the rules' fold does not depend on it. */
  events: StoredEvent[];
  activation: ActivationRecord | null;
  closure: ClosureRecord | null;
}

/**
 * A session without its events: what the webhook path reads on every event, whatever the
 * history. `eventCount` says whether a kept fold (SessionFolds) folds every stored event.
 */
export interface SessionHead {
  session: SessionRecord;
  activation: ActivationRecord | null;
  closure: ClosureRecord | null;
  /** How many events are stored for the session (counted, never read). */
  eventCount: number;
}

export interface SessionStore {
  /**
   * Inserts the session and lists it as open, or returns the one already stored under its id
   * (a repeated create of the same appointment): `created` says which.
   */
  createSession(session: SessionRecord): Promise<{ created: boolean; session: SessionRecord }>;
  /** Binds the clinic's appointment id to a session, or returns the claim that holds it already. */
  claimExternalId(claim: ExternalIdClaim): Promise<{ claimed: boolean; claim: ExternalIdClaim }>;
  findExternalId(clinicId: string, externalId: string): Promise<ExternalIdClaim | null>;
  findSession(sessionId: string): Promise<SessionRecord | null>;
  /** The session with its events and decisions, in one read; null when there is no such session. */
  loadRecords(sessionId: string): Promise<SessionRecords | null>;
  /** Like loadRecords, but from the database itself, never from a copy (which it repairs): for a fold that does not add up. */
  rebuildRecords(sessionId: string): Promise<SessionRecords | null>;
  /**
   * The clinic's sessions created in [from, to), in a stable order (createdAt, then id) after
   * `after`, at most `limit`: a page of its listing. Sessions created later come after every page read.
   */
  listSessions(query: { clinicId: string; from: Date | null; to: Date | null; after: { createdAt: Date; id: string } | null; limit: number }): Promise<SessionRecord[]>;
  /** Sessions closed before `cutoff` (by their closure's time), at most `limit`: what retention removes. */
  listClosedBefore(cutoff: Date, limit: number): Promise<string[]>;
  /** Removes a closed session and all its records (events, decisions, kept fold, copy). */
  deleteSession(sessionId: string): Promise<void>;
  /** Sessions the service still owes work (open, or closed and not yet cleaned up), by id after `afterSessionId`, at most `limit`. */
  listOpenSessions(afterSessionId: string | null, limit: number): Promise<OpenSession[]>;
  /** The session, its decisions and how many events it has, without reading them; null when there is no such session. */
  loadHead(sessionId: string): Promise<SessionHead | null>;
  /**
   * Writes the appointment's people as changed and returns the record as it is now; null when
   * there is no such session. Last write wins: callers hold the session's lock.
   */
  changeAppointment(sessionId: string, update: AppointmentUpdate): Promise<SessionRecord | null>;
  /** The open session of a room named before rooms were the service's (a session created by an earlier version), if any. */
  findOpenSessionByRoom(roomName: string): Promise<SessionRecord | null>;
  /** The session owes nothing more (its close is done): it leaves the open list; idempotent. */
  finishSession(sessionId: string): Promise<void>;
  /** Inserts the event, or returns the one already stored under its id. */
  recordEvent(event: StoredEvent): Promise<{ inserted: boolean; stored: StoredEvent }>;
  /**
   * Inserts the decision, or returns the one that won: an activation, a cancellation and a
   * no-show compete for leaving `waiting`; an end and a timeout for leaving `active`.
   */
  recordDecision(decision: DecisionRecord): Promise<{ created: boolean; winner: DecisionRecord }>;
}
