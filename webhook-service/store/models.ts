// Mongoose schemas of the four collections. Each document is written once by an insert; the
// unique `_id`s are what make those inserts the service's atomic decisions (they hold on
// FerretDB too, unlike conditional updates). Every hot read is by `_id` alone, the one filter
// FerretDB's SQLite backend serves from an index: any other filter scans the collection.
import { Schema, type Connection, type Model } from 'mongoose';

export interface SessionDoc {
  _id: string;
  roomName: string;
  studentIdentity: string;
  counselorIdentity: string;
  scheduledStart: Date | null;
  createdAt: Date;
}

/** A room held by its session until the session ends: `_id` is the room name. */
export interface RoomSlotDoc {
  _id: string;
  sessionId: string;
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
}

export interface ActivationDoc {
  /** The session id: one activation per session. */
  _id: string;
  startedAt: Date;
  messageId: string;
  createdAt: Date;
}

const options = { versionKey: false, autoIndex: false, strict: 'throw' } as const;

const sessionSchema = new Schema<SessionDoc>(
  {
    _id: { type: String, required: true },
    roomName: { type: String, required: true },
    studentIdentity: { type: String, required: true },
    counselorIdentity: { type: String, required: true },
    scheduledStart: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  { ...options, collection: 'sessions' },
);

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
  },
  { ...options, collection: 'session_events' },
);
// Serves rebuilding a session's log (RedisSessionLog) on MongoDB; not on the hot path.
eventSchema.index({ sessionId: 1, at: 1 }, { name: 'sessionId_at' });

const activationSchema = new Schema<ActivationDoc>(
  {
    _id: { type: String, required: true },
    startedAt: { type: Date, required: true },
    messageId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { ...options, collection: 'activations' },
);

export interface Models {
  sessions: Model<SessionDoc>;
  roomSlots: Model<RoomSlotDoc>;
  events: Model<SessionEventDoc>;
  activations: Model<ActivationDoc>;
}

export function defineModels(connection: Connection): Models {
  return {
    sessions: connection.model<SessionDoc>('Session', sessionSchema),
    roomSlots: connection.model<RoomSlotDoc>('RoomSlot', roomSlotSchema),
    events: connection.model<SessionEventDoc>('SessionEvent', eventSchema),
    activations: connection.model<ActivationDoc>('Activation', activationSchema),
  };
}
