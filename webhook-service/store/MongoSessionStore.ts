// The SessionStore over MongoDB or FerretDB through mongoose, and nothing else (its Redis copy
// is composed on top: CopiedSessionStore).
//
// Why only inserts: FerretDB runs findAndModify/update as read, filter, write in separate steps,
// so two concurrent conditional updates can both "win". A unique-index violation (E11000) is
// atomic on both databases, so every decision here is "insert; on E11000 read the winner":
// - a session is created once under its id, and a clinic's appointment id names one session
//   (`external_ids._id`);
// - an event is stored once under LiveKit's id (a redelivery fails);
// - a session leaves `waiting` once (`<id>.opening`) and `active` once (`<id>.closing`).
// `open_sessions` lists the sessions the service still owes work (open, or closed with the close
// not finished); it is written before the session and deleted once the close is done.
import type { Connection } from 'mongoose';
import type { AppointmentParticipant, ClosedStatus, EndReason, GroupStart, Role } from '../../plugin';
import { DEFAULT_CLINIC } from '../clinicKeys';
import { ServiceError, storeCall } from '../errors';
import type { AppointmentUpdate, DecisionRecord, ExternalIdClaim, OpenSession, ReconcileEvidence, SessionHead, SessionRecord, SessionRecords, SessionStore, StoredEvent } from '../usecases/ports/SessionStore';
import { defineModels, type DecisionDoc, type ExternalIdDoc, type Models, type SessionDoc, type SessionEventDoc } from './models';
import { MongoSessionFolds } from './MongoSessionFolds';
import { DEFAULT_GROUP_COMMIT, type GroupCommitOptions } from './groupCommit';
import { GroupedEventInserts } from './GroupedEventInserts';
import { isDuplicateKey, migrateModels, openWithIndexes } from './indexes';

const toSession = (doc: SessionDoc): SessionRecord => ({
  id: doc._id,
  roomName: doc.roomName,
  // A session stored before tenancy and not yet migrated: the single clinic of that time.
  clinicId: doc.clinicId ?? DEFAULT_CLINIC,
  externalId: doc.externalId ?? null,
  studentIdentity: doc.studentIdentity,
  counselorIdentity: doc.counselorIdentity,
  ...(doc.participants && doc.participants.length > 0 ? { participants: doc.participants.map(toParticipant) } : {}),
  ...(doc.group ? { group: { startAt: doc.group.startAt as NonNullable<GroupStart['startAt']>, quorum: doc.group.quorum } } : {}),
  ...(typeof doc.observersDisclosed === 'boolean' ? { observersDisclosed: doc.observersDisclosed } : {}),
  scheduledStart: doc.scheduledStart ?? null,
  createdAt: doc.createdAt,
  ...(doc.appointmentChangedAt ? { appointmentChangedAt: doc.appointmentChangedAt } : {}),
});

// Written by createSession from a validated request: the role is one of the plugin's.
const toParticipant = ({ identity, role, required, label }: NonNullable<SessionDoc['participants']>[number]): AppointmentParticipant => ({
  identity,
  role: role as AppointmentParticipant['role'],
  ...(required === null || required === undefined ? {} : { required }),
  ...(label === null || label === undefined ? {} : { label }),
});

const participantDocs = (participants: readonly AppointmentParticipant[]): NonNullable<SessionDoc['participants']> =>
  participants.map((entry) => ({ identity: entry.identity, role: entry.role, required: entry.required ?? null, ...(entry.label === undefined ? {} : { label: entry.label }) }));

const toSessionDoc = ({ id, participants, group, ...fields }: SessionRecord): SessionDoc => ({
  _id: id,
  ...fields,
  ...(participants && participants.length > 0 ? { participants: participantDocs(participants) } : {}),
  ...(group ? { group: { startAt: group.startAt ?? 'quorum', quorum: group.quorum ?? 1 } } : {}),
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
  ...(doc.reconciled ? { reconciled: true } : {}),
  ...(doc.evidence ? { evidence: JSON.parse(doc.evidence) as ReconcileEvidence } : {}),
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
  reconciled: event.reconciled === true,
  evidence: event.evidence ? JSON.stringify(event.evidence) : null,
});

/** An activation, a cancellation or a no-show takes the opening; an end or a timeout the closing. */
const decisionKey = (decision: DecisionRecord): string =>
  `${decision.sessionId}.${decision.kind === 'activation' || decision.status !== 'ended' ? 'opening' : 'closing'}`;

const toDecisionDoc = (decision: DecisionRecord): DecisionDoc => ({
  _id: decisionKey(decision),
  sessionId: decision.sessionId,
  kind: decision.kind,
  startedAt: decision.kind === 'activation' ? decision.startedAt : null,
  status: decision.kind === 'closure' ? decision.status : null,
  reason: decision.kind === 'closure' ? decision.reason : null,
  at: decision.kind === 'closure' ? decision.at : null,
  endedAt: decision.kind === 'closure' ? decision.endedAt : null,
  messageId: decision.messageId,
  createdAt: decision.createdAt,
});

const toDecision = (doc: DecisionDoc): DecisionRecord =>
  doc.kind === 'activation'
    ? { kind: 'activation', sessionId: doc.sessionId, startedAt: doc.startedAt as Date, messageId: doc.messageId, createdAt: doc.createdAt }
    : {
        kind: 'closure',
        sessionId: doc.sessionId,
        status: doc.status as ClosedStatus,
        reason: doc.reason as EndReason,
        at: doc.at as Date,
        endedAt: doc.endedAt ?? null,
        messageId: doc.messageId,
        createdAt: doc.createdAt,
      };

/**
 * The `_id` of a clinic's appointment id. The default clinic's are the bare id, as stored before
 * tenancy (so those claims still hold); another clinic's are prefixed with the clinic and a unit
 * separator, which an appointment id cannot contain (no control characters), so no two meet.
 */
const externalIdKey = (clinicId: string, externalId: string): string => (clinicId === DEFAULT_CLINIC ? externalId : `${clinicId}\u001f${externalId}`);

/**
 * Sessions created before rooms were the service's (0.1) held their clinic-named room through a
 * slot; each slot left is an open session, listed as such once (repeats are duplicate inserts).
 */
async function listLegacySlotsAsOpen(models: Models): Promise<void> {
  const slots = await models.roomSlots.find({}).lean<{ _id: string; sessionId: string; createdAt: Date }[]>().exec();
  for (const slot of slots) {
    await models.openSessions.create({ _id: slot.sessionId, roomName: slot._id, createdAt: slot.createdAt }).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
  }
}

export interface MongoSessionStoreOptions {
  /** How concurrent webhooks' event inserts share one insertMany. @defaultValue DEFAULT_GROUP_COMMIT */
  groupCommit?: GroupCommitOptions;
}

export class MongoSessionStore implements SessionStore {
  /** The kept folds, on the same connection: what a service without a Redis copy keeps them in. */
  readonly folds: MongoSessionFolds;
  private readonly eventInserts: GroupedEventInserts;

  private constructor(
    private readonly connection: Connection,
    private readonly models: Models,
    options: MongoSessionStoreOptions,
  ) {
    this.folds = new MongoSessionFolds(models.folds);
    this.eventInserts = new GroupedEventInserts(models.events, options.groupCommit ?? DEFAULT_GROUP_COMMIT);
  }

  /** Connects and checks that the collections' indexes exist (`migrate` makes them) before any traffic relies on them. */
  static async connect(uri: string, options: MongoSessionStoreOptions = {}): Promise<MongoSessionStore> {
    try {
      const { connection, value } = await openWithIndexes(
        uri,
        (connection) => {
          const models = defineModels(connection);
          return { models: Object.values(models), value: models };
        },
        listLegacySlotsAsOpen,
      );
      return new MongoSessionStore(connection, value, options);
    } catch (error) {
      throw ServiceError.storeUnavailable(error);
    }
  }

  /** Creates the collections and their indexes; idempotent. The migration step (`npm run migrate`), not every start. */
  static async migrate(uri: string): Promise<string[]> {
    return migrateModels(
      uri,
      (connection) => Object.values(defineModels(connection)),
      // Sessions stored before tenancy were the one clinic's of that time.
      (connection) => connection.collection('sessions').updateMany({ clinicId: { $exists: false } }, { $set: { clinicId: DEFAULT_CLINIC } }),
    );
  }

  async createSession(session: SessionRecord): Promise<{ created: boolean; session: SessionRecord }> {
    // Listed as open first: a crash between the two inserts leaves an open entry without its
    // session, which reconciliation removes, never a session nobody looks after.
    await this.insertOnce(() => this.models.openSessions.create({ _id: session.id, roomName: session.roomName, createdAt: session.createdAt }));
    const { id } = session;
    if (await this.insertOnce(() => this.models.sessions.create(toSessionDoc(session)))) return { created: true, session };
    const stored = await this.findSession(id);
    if (!stored) throw new ServiceError('internal', `session ${id} was a duplicate but cannot be read`);
    return { created: false, session: stored };
  }

  async claimExternalId(claim: ExternalIdClaim): Promise<{ claimed: boolean; claim: ExternalIdClaim }> {
    const _id = externalIdKey(claim.clinicId, claim.externalId);
    if (await this.insertOnce(() => this.models.externalIds.create({ _id, sessionId: claim.sessionId, fingerprint: claim.fingerprint, createdAt: claim.createdAt }))) {
      return { claimed: true, claim };
    }
    const holder = await this.findExternalId(claim.clinicId, claim.externalId);
    if (!holder) throw new ServiceError('internal', `external id ${claim.externalId} was a duplicate but cannot be read`);
    return { claimed: false, claim: holder };
  }

  async findExternalId(clinicId: string, externalId: string): Promise<ExternalIdClaim | null> {
    const doc = await storeCall(() => this.models.externalIds.findById(externalIdKey(clinicId, externalId)).lean<ExternalIdDoc>().exec());
    return doc ? { clinicId, externalId, sessionId: doc.sessionId, fingerprint: doc.fingerprint, createdAt: doc.createdAt } : null;
  }

  /** Runs a unique insert: true when it inserted, false on a duplicate key. */
  private async insertOnce(insert: () => Promise<unknown>): Promise<boolean> {
    try {
      await insert();
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw ServiceError.storeUnavailable(error);
    }
  }

  async findSession(sessionId: string): Promise<SessionRecord | null> {
    const doc = await storeCall(() => this.models.sessions.findById(sessionId).lean<SessionDoc>().exec());
    return doc ? toSession(doc) : null;
  }

  async loadRecords(sessionId: string): Promise<SessionRecords | null> {
    const [head, eventDocs] = await storeCall(() => Promise.all([this.loadDecided(sessionId), this.models.events.find({ sessionId }).lean<SessionEventDoc[]>().exec()]));
    return head ? { ...head, events: eventDocs.map(toEvent) } : null;
  }

  /** The session and its decisions, without its events. */
  private async loadDecided(sessionId: string): Promise<Omit<SessionRecords, 'events'> | null> {
    const [session, decisionDocs] = await storeCall(() => Promise.all([this.findSession(sessionId), this.models.decisions.find({ sessionId }).lean<DecisionDoc[]>().exec()]));
    if (!session) return null;
    const decisions = decisionDocs.map(toDecision);
    return {
      session,
      activation: decisions.find((decision) => decision.kind === 'activation') ?? null,
      closure: (decisions.find((decision) => decision.kind === 'closure') as SessionRecords['closure'] | undefined) ?? null,
    };
  }

  async rebuildRecords(sessionId: string): Promise<SessionRecords | null> {
    return this.loadRecords(sessionId);
  }

  async listSessions(query: Parameters<SessionStore['listSessions']>[0]): Promise<SessionRecord[]> {
    const range: Record<string, Date> = {};
    if (query.from) range.$gte = query.from;
    if (query.to) range.$lt = query.to;
    const filter: Record<string, unknown> = { clinicId: query.clinicId, ...(Object.keys(range).length > 0 ? { createdAt: range } : {}) };
    if (query.after) {
      const { createdAt, id } = query.after;
      filter.$or = [{ createdAt: { $gt: createdAt } }, { createdAt, _id: { $gt: id } }];
    }
    const docs = await storeCall(() => this.models.sessions.find(filter).sort({ createdAt: 1, _id: 1 }).limit(query.limit).lean<SessionDoc[]>().exec());
    return docs.map(toSession);
  }

  async listClosedBefore(cutoff: Date, limit: number): Promise<string[]> {
    const docs = await storeCall(() =>
      this.models.decisions.find({ kind: 'closure', at: { $lt: cutoff } }).sort({ at: 1 }).limit(limit).lean<DecisionDoc[]>().exec(),
    );
    return docs.map((doc) => doc.sessionId);
  }

  async deleteSession(sessionId: string): Promise<void> {
    // The closure goes last: a pass cut short leaves it, so the next pass finds the session again.
    await storeCall(async () => {
      await this.models.events.deleteMany({ sessionId }).exec();
      const session = await this.models.sessions.findById(sessionId).lean<SessionDoc>().exec();
      if (session?.externalId) await this.models.externalIds.deleteOne({ _id: externalIdKey(session.clinicId ?? DEFAULT_CLINIC, session.externalId), sessionId }).exec();
      await this.models.openSessions.deleteOne({ _id: sessionId }).exec();
      await this.models.folds.deleteOne({ _id: sessionId }).exec();
      await this.models.sessions.deleteOne({ _id: sessionId }).exec();
      await this.models.decisions.deleteMany({ sessionId }).exec();
    });
  }

  async listOpenSessions(afterSessionId: string | null, limit: number): Promise<OpenSession[]> {
    const docs = await storeCall(() =>
      this.models.openSessions
        .find(afterSessionId === null ? {} : { _id: { $gt: afterSessionId } })
        .sort({ _id: 1 })
        .limit(limit)
        .lean<{ _id: string; roomName: string; createdAt: Date }[]>()
        .exec(),
    );
    return docs.map((doc) => ({ sessionId: doc._id, roomName: doc.roomName, createdAt: doc.createdAt }));
  }

  /** The events are counted, not read (on MongoDB the count walks the `sessionId_at` index). */
  async loadHead(sessionId: string): Promise<SessionHead | null> {
    const [head, eventCount] = await storeCall(() => Promise.all([this.loadDecided(sessionId), this.models.events.countDocuments({ sessionId }).exec()]));
    return head ? { ...head, eventCount } : null;
  }

  async changeAppointment(sessionId: string, update: AppointmentUpdate): Promise<SessionRecord | null> {
    const { participants, ...fields } = update;
    // A plain update, not a decision: the caller holds the session's lock, so no two changes race.
    const people = participants && participants.length > 0 ? { $set: { ...fields, participants: participantDocs(participants) } } : { $set: fields, $unset: { participants: 1 } };
    await storeCall(() => this.models.sessions.updateOne({ _id: sessionId }, people).exec());
    return this.findSession(sessionId);
  }

  async findOpenSessionByRoom(roomName: string): Promise<SessionRecord | null> {
    const open = await storeCall(() => this.models.openSessions.findOne({ roomName }).lean<{ _id: string }>().exec());
    return open ? this.findSession(open._id) : null;
  }

  async finishSession(sessionId: string): Promise<void> {
    await storeCall(() => this.models.openSessions.deleteOne({ _id: sessionId }).exec());
  }

  async recordEvent(event: StoredEvent): Promise<{ inserted: boolean; stored: StoredEvent }> {
    if (await this.insertEvent(event)) return { inserted: true, stored: event };
    // A redelivery answers what is stored, which may belong to an earlier session of the room.
    const stored = await this.findEvent(event.id);
    if (!stored) throw new ServiceError('internal', `event ${event.id} was a duplicate but cannot be read`);
    return { inserted: false, stored };
  }

  /** Stores the event, group-committed with other webhooks' events: true when it was new, false when its id was stored already. */
  async insertEvent(event: StoredEvent): Promise<boolean> {
    return (await this.eventInserts.insert(toEventDoc(event))).inserted;
  }

  /**
   * The stored event of this id. A filter of `_id` alone, equal to a string: the one filter
   * FerretDB v1.24's SQLite backend pushes down (evaluated in SQLite; any other, `$in` included,
   * has every document decoded and filtered in Go, about ten times slower). It still reads no
   * index there, so it costs a pass over the collection: the webhook path asks the session copy
   * first (CopiedSessionStore).
   */
  async findEvent(eventId: string): Promise<StoredEvent | null> {
    const doc = await storeCall(() => this.models.events.findById(eventId).lean<SessionEventDoc>().exec());
    return doc ? toEvent(doc) : null;
  }

  async recordDecision(decision: DecisionRecord): Promise<{ created: boolean; winner: DecisionRecord }> {
    try {
      await this.models.decisions.create(toDecisionDoc(decision));
      return { created: true, winner: decision };
    } catch (error) {
      if (!isDuplicateKey(error)) throw ServiceError.storeUnavailable(error);
    }
    const winner = await storeCall(() => this.models.decisions.findById(decisionKey(decision)).lean<DecisionDoc>().exec());
    if (!winner) throw new ServiceError('internal', `decision ${decisionKey(decision)} was a duplicate but cannot be read`);
    return { created: false, winner: toDecision(winner) };
  }

  /** Throws when the database cannot be reached (the readiness check). */
  async ping(): Promise<void> {
    await storeCall(async () => {
      const db = this.connection.db;
      if (!db) throw new Error('not connected');
      await db.admin().command({ ping: 1 });
    });
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
