// Idempotency-Key records in MongoDB (`idempotency_keys`) and their later attempts
// (`idempotency_attempts`, `_id` = `<record id>#<attempt>`). The record and each attempt are
// unique inserts, atomic on MongoDB and FerretDB alike; the updates that follow are made by the
// attempt's owner alone. Old keys are deleted by a periodic sweep (FerretDB has no TTL index).
import { Schema, type Connection, type Model } from 'mongoose';
import { ServiceError, storeCall } from '../errors';
import type { IdempotencyAnswer, IdempotencyKeys, IdempotencyRecord } from '../usecases/ports/IdempotencyKeys';
import { isDuplicateKey, migrateModels, openWithIndexes } from './indexes';

interface KeyDoc {
  _id: string;
  fingerprint: string;
  mintedId: string;
  createdAt: Date;
  attempt: number;
  attemptStartedAt: Date;
  released: boolean;
  status: number | null;
  body: string | null;
}

interface AttemptDoc {
  _id: string;
  createdAt: Date;
}

const options = { versionKey: false, autoIndex: false, strict: 'throw' } as const;

const keySchema = new Schema<KeyDoc>(
  {
    _id: { type: String, required: true },
    fingerprint: { type: String, required: true },
    mintedId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    attempt: { type: Number, required: true },
    attemptStartedAt: { type: Date, required: true },
    released: { type: Boolean, required: true },
    status: { type: Number, default: null },
    body: { type: String, default: null },
  },
  { ...options, collection: 'idempotency_keys' },
);
// The sweep finds old keys by their first use.
keySchema.index({ createdAt: 1 }, { name: 'createdAt' });

const attemptSchema = new Schema<AttemptDoc>(
  { _id: { type: String, required: true }, createdAt: { type: Date, required: true } },
  { ...options, collection: 'idempotency_attempts' },
);
attemptSchema.index({ createdAt: 1 }, { name: 'createdAt' });

const toRecord = (doc: KeyDoc): IdempotencyRecord => ({
  id: doc._id,
  fingerprint: doc.fingerprint,
  mintedId: doc.mintedId,
  createdAt: doc.createdAt,
  attempt: doc.attempt,
  attemptStartedAt: doc.attemptStartedAt,
  released: doc.released,
  answer: doc.status === null || doc.body === null ? null : { status: doc.status, body: doc.body },
});

const modelsOf = (connection: Connection) => ({
  keys: connection.model<KeyDoc>('IdempotencyKey', keySchema),
  attempts: connection.model<AttemptDoc>('IdempotencyAttempt', attemptSchema),
});

export class MongoIdempotencyKeys implements IdempotencyKeys {
  private constructor(
    private readonly connection: Connection,
    private readonly keys: Model<KeyDoc>,
    private readonly attempts: Model<AttemptDoc>,
  ) {}

  /** Connects (a pool of its own) and checks that the collections' indexes exist (`migrate` makes them). */
  static async connect(uri: string): Promise<MongoIdempotencyKeys> {
    try {
      const { connection, value } = await openWithIndexes(uri, (connection) => {
        const models = modelsOf(connection);
        return { models: [models.keys, models.attempts], value: models };
      });
      return new MongoIdempotencyKeys(connection, value.keys, value.attempts);
    } catch (error) {
      throw ServiceError.storeUnavailable(error);
    }
  }

  /** Creates the collections and their indexes; idempotent. The migration step, not every start. */
  static async migrate(uri: string): Promise<string[]> {
    return migrateModels(uri, (connection) => Object.values(modelsOf(connection)));
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  async claim(record: IdempotencyRecord): Promise<{ claimed: boolean; record: IdempotencyRecord }> {
    const { id, answer, ...fields } = record;
    try {
      await this.keys.create({ _id: id, ...fields, status: answer?.status ?? null, body: answer?.body ?? null });
      return { claimed: true, record };
    } catch (error) {
      if (!isDuplicateKey(error)) throw ServiceError.storeUnavailable(error);
    }
    const stored = await this.read(id);
    if (!stored) throw new ServiceError('internal', `idempotency key ${id} was a duplicate but cannot be read`);
    return { claimed: false, record: stored };
  }

  async read(id: string): Promise<IdempotencyRecord | null> {
    const doc = await storeCall(() => this.keys.findById(id).lean<KeyDoc>().exec());
    return doc ? toRecord(doc) : null;
  }

  async takeOver(id: string, attempt: number, at: Date): Promise<boolean> {
    try {
      await this.attempts.create({ _id: `${id}#${attempt}`, createdAt: at });
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw ServiceError.storeUnavailable(error);
    }
    await storeCall(() => this.keys.updateOne({ _id: id }, { $set: { attempt, attemptStartedAt: at, released: false } }).exec());
    return true;
  }

  async release(id: string, attempt: number): Promise<void> {
    await storeCall(() => this.keys.updateOne({ _id: id, attempt }, { $set: { released: true } }).exec());
  }

  async answer(id: string, attempt: number, answer: IdempotencyAnswer): Promise<void> {
    await storeCall(() => this.keys.updateOne({ _id: id, attempt }, { $set: { status: answer.status, body: answer.body } }).exec());
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    return storeCall(async () => {
      const { deletedCount } = await this.keys.deleteMany({ createdAt: { $lt: cutoff } }).exec();
      await this.attempts.deleteMany({ createdAt: { $lt: cutoff } }).exec();
      return deletedCount;
    });
  }
}
