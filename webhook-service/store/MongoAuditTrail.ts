// The audit trail in MongoDB: one insert per audited call in `audit_entries` (written once,
// never changed), read by session and time (indexed on a real MongoDB; FerretDB scans it, which
// is fine for an occasional supervisor's read).
import { Schema, type Connection, type Model } from 'mongoose';
import { ServiceError, storeCall } from '../errors';
import type { AuditAction, AuditEntry, AuditPosition, AuditTrail } from '../usecases/ports/AuditTrail';
import { migrateModels, openWithIndexes } from './indexes';

interface AuditDoc {
  _id: string;
  keyName: string;
  action: string;
  sessionId: string | null;
  identity: string | null;
  at: Date;
  status: number;
  code: string | null;
  detail: string | null;
}

const auditSchema = new Schema<AuditDoc>(
  {
    _id: { type: String, required: true },
    keyName: { type: String, required: true },
    action: { type: String, required: true },
    sessionId: { type: String, default: null },
    identity: { type: String, default: null },
    at: { type: Date, required: true },
    status: { type: Number, required: true },
    code: { type: String, default: null },
    detail: { type: String, default: null },
  },
  { versionKey: false, autoIndex: false, strict: 'throw', collection: 'audit_entries' },
);
auditSchema.index({ sessionId: 1, at: 1 }, { name: 'sessionId_at' });

export class MongoAuditTrail implements AuditTrail {
  private constructor(
    private readonly connection: Connection,
    private readonly model: Model<AuditDoc>,
  ) {}

  /** Connects (a pool of its own) and checks that the collection's index exists (`migrate` makes it). */
  static async connect(uri: string): Promise<MongoAuditTrail> {
    try {
      const { connection, value } = await openWithIndexes(uri, (connection) => {
        const model = connection.model<AuditDoc>('AuditEntry', auditSchema);
        return { models: [model], value: model };
      });
      return new MongoAuditTrail(connection, value);
    } catch (error) {
      throw ServiceError.storeUnavailable(error);
    }
  }

  /** Creates the collection and its index; idempotent. The migration step (`npm run migrate`), not every start. */
  static async migrate(uri: string): Promise<string[]> {
    return migrateModels(uri, (connection) => [connection.model<AuditDoc>('AuditEntry', auditSchema)]);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  async record(entry: AuditEntry): Promise<void> {
    await storeCall(() => this.model.create({ _id: entry.id, keyName: entry.keyName, action: entry.action, sessionId: entry.sessionId, identity: entry.identity, at: entry.at, status: entry.outcome.status, code: entry.outcome.code, detail: entry.detail ?? null }));
  }

  async deleteForSession(sessionId: string): Promise<void> {
    await storeCall(() => this.model.deleteMany({ sessionId }).exec());
  }

  async list(sessionId: string, page: { limit: number; before: AuditPosition | null }): Promise<AuditEntry[]> {
    const { before } = page;
    const older = before ? { $or: [{ at: { $lt: before.at } }, { at: before.at, _id: { $lt: before.id } }] } : {};
    const docs = await storeCall(() =>
      this.model
        .find({ sessionId, ...older })
        .sort({ at: -1, _id: -1 })
        .limit(page.limit)
        .lean<AuditDoc[]>()
        .exec(),
    );
    return docs.map((doc) => ({
      id: doc._id,
      keyName: doc.keyName,
      action: doc.action as AuditAction,
      sessionId: doc.sessionId,
      identity: doc.identity,
      at: doc.at,
      outcome: { status: doc.status, code: doc.code },
      ...(doc.detail ? { detail: doc.detail } : {}),
    }));
  }
}
