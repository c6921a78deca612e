// Mongoose schemas of the collections. Each document is written once by an insert; the
// unique `_id`s are what make those inserts the service's atomic decisions (they hold on
// FerretDB too, unlike conditional updates). The one exception is a session's kept fold
// (`session_folds`), a cache of its events rewritten under the session's lock and checked
// against their count before it is trusted.
import { Schema, type Connection, type Model } from 'mongoose';

export interface SessionDoc {
  _id: string;
  roomName: string;
  /** Absent on sessions stored before tenancy: `migrate` sets them to the default clinic. */
  clinicId: string;
  externalId: string | null;
  studentIdentity: string;
  counselorIdentity: string;
  /** Everyone else on the appointment; absent on sessions created before participants existed. */
  participants?: { identity: string; role: string; required: boolean | null; label?: string | null }[];
  group?: { startAt: string; quorum: number } | null;
  /** Absent on sessions stored before the setting: disclosed, its default. */
  observersDisclosed?: boolean;
  scheduledStart: Date | null;
  createdAt: Date;
  /** Set by the one update a session takes (usecases/changeParticipants.ts, under the session's lock). */
  appointmentChangedAt?: Date | null;
}

/** A room held by its session until the session ends (before 0.2: rooms were named by clinics); `_id` is the room name. Read once to list those sessions as open. */
export interface RoomSlotDoc {
  _id: string;
  sessionId: string;
  createdAt: Date;
}

/** A session the service still owes work: from its creation until its close is done. */
export interface OpenSessionDoc {
  _id: string;
  roomName: string;
  createdAt: Date;
}

/** A clinic's appointment id, bound to one session: `_id` is the id (see externalIdKey). */
export interface ExternalIdDoc {
  _id: string;
  sessionId: string;
  fingerprint: string;
  createdAt: Date;
}

export interface SessionEventDoc {
  /** LiveKit's event id: the primary key is the dedupe. */
  _id: string;
  sessionId: string;
  kind: string;
  at: Date;
  participantSid: string | null;
  identity: string | null;
  role: string | null;
  /** Key/value pairs, because attribute keys contain dots (`autostart.role`). */
  attributes: { key: string; value: string }[];
  receivedAt: Date;
  /** Recorded by reconciliation from LiveKit's API, not by a webhook. */
  reconciled: boolean;
  /** What reconciliation inferred it from (JSON), or null. */
  evidence: string | null;
}

/**
 * A decision about a session's status. `_id` is `<sessionId>.opening` (started, cancelled or
 * no-show: one per session) or `<sessionId>.closing` (ended by the clinic or timed out).
 */
export interface DecisionDoc {
  _id: string;
  sessionId: string;
  kind: 'activation' | 'closure';
  /** Activation: when the pair was first together. */
  startedAt: Date | null;
  /** Closure: the final status, why, when, and the end of the session for `ended`. */
  status: string | null;
  reason: string | null;
  at: Date | null;
  endedAt: Date | null;
  messageId: string;
  createdAt: Date;
}

const options = { versionKey: false, autoIndex: false, strict: 'throw' } as const;

const sessionSchema = new Schema<SessionDoc>(
  {
    _id: { type: String, required: true },
    roomName: { type: String, required: true },
    clinicId: { type: String, required: true },
    externalId: { type: String, default: null },
    studentIdentity: { type: String, required: true },
    counselorIdentity: { type: String, required: true },
    participants: {
      type: [new Schema({ identity: { type: String, required: true }, role: { type: String, required: true }, required: { type: Boolean, default: null }, label: { type: String, default: null } }, { _id: false, strict: 'throw' })],
      default: undefined,
    },
    group: { type: new Schema({ startAt: { type: String, required: true }, quorum: { type: Number, required: true } }, { _id: false, strict: 'throw' }), default: null },
    observersDisclosed: { type: Boolean },
    scheduledStart: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    appointmentChangedAt: { type: Date, default: null },
  },
  { ...options, collection: 'sessions' },
);

// A clinic's listing reads its sessions in this order (an index on a real MongoDB; FerretDB scans).
sessionSchema.index({ clinicId: 1, createdAt: 1, _id: 1 }, { name: 'clinicId_createdAt_id' });

// One document per room that has a session not yet ended; the session's end deletes it. The
// unique `_id` makes a second open session for a room fail, on MongoDB and FerretDB alike.
const roomSlotSchema = new Schema<RoomSlotDoc>(
  {
    _id: { type: String, required: true },
    sessionId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...options, collection: 'room_slots' },
);

// Open sessions only (a session leaves once its close is done), so a reconciliation pass reads a
// small collection even on FerretDB, where every read scans.
const openSessionSchema = new Schema<OpenSessionDoc>(
  {
    _id: { type: String, required: true },
    roomName: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...options, collection: 'open_sessions' },
);

// The unique `_id` makes two creates of one appointment one session, on MongoDB and FerretDB alike
// (a unique index on sessions.externalId cannot skip the sessions without one there: no partial
// or sparse indexes on FerretDB).
const externalIdSchema = new Schema<ExternalIdDoc>(
  {
    _id: { type: String, required: true },
    sessionId: { type: String, required: true },
    fingerprint: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...options, collection: 'external_ids' },
);

const eventSchema = new Schema<SessionEventDoc>(
  {
    _id: { type: String, required: true },
    sessionId: { type: String, required: true },
    kind: { type: String, required: true },
    at: { type: Date, required: true },
    participantSid: { type: String, default: null },
    identity: { type: String, default: null },
    role: { type: String, default: null },
    attributes: { type: [{ _id: false, key: String, value: String }], default: [] },
    receivedAt: { type: Date, required: true },
    reconciled: { type: Boolean, default: false },
    evidence: { type: String, default: null },
  },
  { ...options, collection: 'session_events' },
);
// Serves loading a session's events on MongoDB.
eventSchema.index({ sessionId: 1, at: 1 }, { name: 'sessionId_at' });

const decisionSchema = new Schema<DecisionDoc>(
  {
    _id: { type: String, required: true },
    sessionId: { type: String, required: true },
    kind: { type: String, required: true, enum: ['activation', 'closure'] },
    startedAt: { type: Date, default: null },
    status: { type: String, default: null },
    reason: { type: String, default: null },
    at: { type: Date, default: null },
    endedAt: { type: Date, default: null },
    messageId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...options, collection: 'session_decisions' },
);
decisionSchema.index({ sessionId: 1 }, { name: 'sessionId' });
// Retention finds closed sessions by the time they closed.
decisionSchema.index({ kind: 1, at: 1 }, { name: 'kind_at' });

/** A session's kept fold (SessionFolds): opaque to the store, rewritten as each event is taken. */
export interface SessionFoldDoc {
  _id: string;
  fold: string;
}

const foldSchema = new Schema<SessionFoldDoc>({ _id: { type: String, required: true }, fold: { type: String, required: true } }, { ...options, collection: 'session_folds' });

export interface Models {
  sessions: Model<SessionDoc>;
  roomSlots: Model<RoomSlotDoc>;
  openSessions: Model<OpenSessionDoc>;
  externalIds: Model<ExternalIdDoc>;
  events: Model<SessionEventDoc>;
  decisions: Model<DecisionDoc>;
  folds: Model<SessionFoldDoc>;
}

export function defineModels(connection: Connection): Models {
  return {
    sessions: connection.model<SessionDoc>('Session', sessionSchema),
    roomSlots: connection.model<RoomSlotDoc>('RoomSlot', roomSlotSchema),
    openSessions: connection.model<OpenSessionDoc>('OpenSession', openSessionSchema),
    externalIds: connection.model<ExternalIdDoc>('ExternalId', externalIdSchema),
    events: connection.model<SessionEventDoc>('SessionEvent', eventSchema),
    decisions: connection.model<DecisionDoc>('SessionDecision', decisionSchema),
    folds: connection.model<SessionFoldDoc>('SessionFold', foldSchema),
  };
}
