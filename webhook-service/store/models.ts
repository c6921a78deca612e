// Mongoose schemas of the three collections. Each document is written once by an insert; the
// unique indexes are what make those inserts the service's atomic decisions (they hold on
// FerretDB too, unlike conditional updates).
import { Schema, type Connection, type Model } from 'mongoose';

export interface SessionDoc {
  _id: string;
  roomName: string;
  /** `roomName` while the session holds the room, `roomName#ended#<id>` once it ended. Unique. */
  roomSlot: string;
  studentIdentity: string;
  counselorIdentity: string;
  scheduledStart: Date | null;
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
    roomSlot: { type: String, required: true },
    studentIdentity: { type: String, required: true },
    counselorIdentity: { type: String, required: true },
    scheduledStart: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  { ...options, collection: 'sessions' },
);
// Partial unique indexes do not exist on FerretDB, hence the slot that ended sessions vacate.
sessionSchema.index({ roomSlot: 1 }, { unique: true, name: 'roomSlot_unique' });

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
  events: Model<SessionEventDoc>;
  activations: Model<ActivationDoc>;
}

export function defineModels(connection: Connection): Models {
  return {
    sessions: connection.model<SessionDoc>('Session', sessionSchema),
    events: connection.model<SessionEventDoc>('SessionEvent', eventSchema),
    activations: connection.model<ActivationDoc>('Activation', activationSchema),
  };
}
