// The outbox's durable record in MongoDB: one document per event and endpoint (`deliveries`),
// inserted once under its id, sent, then removed (or kept as failed). `deliveries` thus holds the
// backlog, never the history; `published_deliveries` (insert-only) remembers every delivery ever
// queued, so the same event published again, even after it was sent, is not sent twice: FerretDB reads scan whole collections (no index is used), so a drain's read
// costs what waits, not what was ever sent. A session's deliveries to one endpoint form a chain,
// sent in order. Redis holds only which chains are due (outbox/RedisOutboxIndex.ts), rebuilt from here.
import { Schema, type Connection, type Model } from 'mongoose';
import { ServiceError, storeCall } from '../errors';
import { migrateModels, openWithIndexes } from '../store/indexes';
import type { EventPayload } from './webhookSender';

export type DeliveryState = 'pending' | 'failed';

export interface DeliveryDoc {
  _id: string;
  /** The endpoint's name (CLINIC_WEBHOOK_URLS). */
  endpoint: string;
  sessionId: string;
  /** The session's clinic: whose failed deliveries it is. Null for a delivery queued before clinics owned them whose session is gone. */
  clinicId: string | null;
  eventId: string;
  type: string;
  payload: EventPayload;
  state: DeliveryState;
  /** The chain's order: when it was queued (again, for a retry on request), then its place among the events published with it. */
  orderAt: Date;
  orderIndex: number;
  /** Not tried before this time (its backoff). */
  nextAttemptAt: Date;
  attempts: number;
  firstTriedAt: Date | null;
  error: string | null;
  /** When it was delivered or gave up: what retention counts from. */
  settledAt: Date | null;
  createdAt: Date;
}

const deliverySchema = new Schema<DeliveryDoc>(
  {
    _id: { type: String, required: true },
    endpoint: { type: String, required: true },
    sessionId: { type: String, required: true },
    clinicId: { type: String, default: null },
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    state: { type: String, required: true },
    orderAt: { type: Date, required: true },
    orderIndex: { type: Number, required: true },
    nextAttemptAt: { type: Date, required: true },
    attempts: { type: Number, required: true },
    firstTriedAt: { type: Date, default: null },
    error: { type: String, default: null },
    settledAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, autoIndex: false, strict: 'throw', collection: 'deliveries' },
);
deliverySchema.index({ endpoint: 1, sessionId: 1, state: 1, orderAt: 1, orderIndex: 1 }, { name: 'chain' });
deliverySchema.index({ state: 1, settledAt: 1 }, { name: 'state_settledAt' });
// A clinic's failed deliveries, a page at a time in the order they gave up: one clinic's many never hide another's.
deliverySchema.index({ clinicId: 1, state: 1, settledAt: 1, _id: 1 }, { name: 'clinic_state_settledAt' });

/** A delivery once queued: insert-only, the unique _id is the dedupe; expires with retention. */
export interface PublishedDoc {
  _id: string;
  at: Date;
}

const publishedSchema = new Schema<PublishedDoc>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, autoIndex: false, strict: 'throw', collection: 'published_deliveries' },
);
publishedSchema.index({ at: 1 }, { name: 'at' });

const defineModels = (connection: Connection) => ({
  deliveries: connection.model<DeliveryDoc>('Delivery', deliverySchema),
  published: connection.model<PublishedDoc>('PublishedDelivery', publishedSchema),
});

/** One chain: a session's deliveries to one endpoint. */
export interface Chain {
  endpoint: string;
  sessionId: string;
}

/** The positions an unordered insertMany refused because their _id was already there (E11000); any other failure is thrown. */
async function repeatsOf(insert: Promise<unknown>): Promise<Set<number>> {
  try {
    await insert;
    return new Set();
  } catch (error) {
    const writeErrors = (error as { writeErrors?: { index?: number; code?: unknown; err?: { index?: number; code?: unknown } }[] }).writeErrors;
    if (!Array.isArray(writeErrors) || writeErrors.length === 0 || !writeErrors.every((entry) => (entry.code ?? entry.err?.code) === 11000)) throw error;
    return new Set(writeErrors.map((entry) => Number(entry.index ?? entry.err?.index)));
  }
}

export class MongoOutboxStore {
  private constructor(
    private readonly connection: Connection,
    private readonly model: Model<DeliveryDoc>,
    private readonly published: Model<PublishedDoc>,
  ) {}

  /** Connects (a pool of its own) and checks that the collections' indexes exist (`migrate` makes them). */
  static async connect(uri: string): Promise<MongoOutboxStore> {
    try {
      const { connection, value } = await openWithIndexes(uri, (connection) => {
        const models = defineModels(connection);
        return { models: [models.deliveries, models.published], value: models };
      });
      return new MongoOutboxStore(connection, value.deliveries, value.published);
    } catch (error) {
      throw ServiceError.storeUnavailable(error);
    }
  }

  /** Creates the collections and their indexes; idempotent (the migration step). */
  static async migrate(uri: string): Promise<string[]> {
    let models: ReturnType<typeof defineModels> | null = null;
    return migrateModels(
      uri,
      (connection) => Object.values((models = defineModels(connection))),
      async (connection) => {
        // Deliveries queued before they carried their clinic: their session's, where the session is still there.
        const deliveries = (models as ReturnType<typeof defineModels>).deliveries;
        const sessionIds: string[] = await deliveries.distinct('sessionId', { clinicId: { $exists: false } }).exec();
        for (const sessionId of sessionIds) {
          const session = await connection.collection<{ _id: string; clinicId?: string }>('sessions').findOne({ _id: sessionId }, { projection: { clinicId: 1 } });
          await deliveries.updateMany({ sessionId, clinicId: { $exists: false } }, { $set: { clinicId: session?.clinicId ?? null } }).exec();
        }
      },
    );
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /**
   * Inserts each delivery once: one waiting already, or sent before (its id is in
   * published_deliveries), is left alone. The backlog first, then the ledger: a crash between
   * leaves a delivery queued, never one lost.
   */
  async enqueue(deliveries: readonly DeliveryDoc[]): Promise<void> {
    if (deliveries.length === 0) return;
    await storeCall(async () => {
      const waiting = await repeatsOf(this.model.insertMany(deliveries, { ordered: false, lean: true }));
      const queued = deliveries.filter((_, index) => !waiting.has(index));
      if (queued.length === 0) return;
      const sentBefore = await repeatsOf(this.published.insertMany(queued.map((delivery) => ({ _id: delivery._id, at: delivery.createdAt })), { ordered: false, lean: true }));
      // Published again after it was sent: taken back out of the backlog before anyone tries it (one not yet tried).
      if (sentBefore.size > 0) await this.model.deleteMany({ _id: { $in: queued.filter((_, index) => sentBefore.has(index)).map((delivery) => delivery._id) }, attempts: 0 }).exec();
    });
  }

  /** The chain's next deliveries in order, at most `limit`. */
  async pendingOf(chain: Chain, limit: number): Promise<DeliveryDoc[]> {
    return storeCall(() => this.model.find({ endpoint: chain.endpoint, sessionId: chain.sessionId, state: 'pending' }).sort({ orderAt: 1, orderIndex: 1 }).limit(limit).lean<DeliveryDoc[]>().exec());
  }

  /** Deliveries that were sent leave the backlog: one write for several (a crash before it sends them again, under the same webhook-id). */
  async markDelivered(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await storeCall(() => this.model.deleteMany({ _id: { $in: ids } }).exec());
  }

  async markRetry(id: string, update: { attempts: number; firstTriedAt: Date; nextAttemptAt: Date; error: string }): Promise<void> {
    await storeCall(() => this.model.updateOne({ _id: id }, { $set: update }).exec());
  }

  async markFailed(id: string, update: { attempts: number; firstTriedAt: Date; error: string; at: Date }): Promise<void> {
    await storeCall(() => this.model.updateOne({ _id: id }, { $set: { state: 'failed', attempts: update.attempts, firstTriedAt: update.firstTriedAt, error: update.error, settledAt: update.at } }).exec());
  }

  /** Every chain with deliveries pending, with when its first one may be tried: what the due index is rebuilt from. */
  async *pendingChains(): AsyncGenerator<Chain & { dueAt: Date }> {
    let last: string | null = null;
    const cursor = this.model.find({ state: 'pending' }, { endpoint: 1, sessionId: 1, nextAttemptAt: 1 }).sort({ endpoint: 1, sessionId: 1, orderAt: 1, orderIndex: 1 }).lean<Pick<DeliveryDoc, 'endpoint' | 'sessionId' | 'nextAttemptAt'>[]>().cursor();
    try {
      for await (const doc of cursor) {
        const key = `${doc.endpoint}|${doc.sessionId}`;
        if (key === last) continue;
        last = key;
        yield { endpoint: doc.endpoint, sessionId: doc.sessionId, dueAt: doc.nextAttemptAt };
      }
    } catch (error) {
      throw ServiceError.storeUnavailable(error);
    } finally {
      await cursor.close().catch(() => undefined);
    }
  }

  /** A clinic's deliveries that gave up, oldest first, from just after `after` (the last one of the page before). */
  async listFailed(clinicId: string, after: { settledAt: Date; id: string } | null, limit: number): Promise<DeliveryDoc[]> {
    const from = after ? { $or: [{ settledAt: { $gt: after.settledAt } }, { settledAt: after.settledAt, _id: { $gt: after.id } }] } : {};
    return storeCall(() => this.model.find({ clinicId, state: 'failed', ...from }).sort({ settledAt: 1, _id: 1 }).limit(limit).lean<DeliveryDoc[]>().exec());
  }

  /** Puts one of the clinic's failed deliveries back at the end of its chain; null when it has no such failed delivery. */
  async requeueFailed(clinicId: string, id: string, now: Date): Promise<Chain | null> {
    return storeCall(async () => {
      const doc = await this.model.findOneAndUpdate({ _id: id, clinicId, state: 'failed' }, { $set: { state: 'pending', orderAt: now, orderIndex: 0, nextAttemptAt: now, attempts: 0, firstTriedAt: null, error: null, settledAt: null } }, { returnDocument: 'after' }).lean<DeliveryDoc>().exec();
      return doc ? { endpoint: doc.endpoint, sessionId: doc.sessionId } : null;
    });
  }

  /** Pending and failed deliveries by endpoint. */
  async counts(endpoints: readonly string[]): Promise<{ endpoint: string; pending: number; failed: number }[]> {
    return storeCall(() =>
      Promise.all(
        endpoints.map(async (endpoint) => ({
          endpoint,
          pending: await this.model.countDocuments({ endpoint, state: 'pending' }).exec(),
          failed: await this.model.countDocuments({ endpoint, state: 'failed' }).exec(),
        })),
      ),
    );
  }

  /** Removes what retention allows: failed deliveries settled, and ledger entries queued, before `cutoff`; returns how many. */
  async expireSettled(cutoff: Date): Promise<number> {
    return storeCall(async () => {
      const failed = await this.model.deleteMany({ state: 'failed', settledAt: { $lt: cutoff } }).exec();
      // The ledger of what was queued: an event published again after this is sent again.
      const published = await this.published.deleteMany({ at: { $lt: cutoff } }).exec();
      return failed.deletedCount + published.deletedCount;
    });
  }
}
