// The event inserts of the webhook intake, group-committed (store/groupCommit.ts): the events of
// concurrent webhooks (of different sessions: a session's own are serialized by its lock) go to
// the database in one unordered insertMany, and each webhook is answered once that call returns.
// The dedupe stays a unique insert, decided per document: an event id already stored, or twice in
// one batch (a retry racing its original), is a duplicate-key error for that document alone,
// answered as a duplicate (the caller reads the stored event where it is cheapest: see
// CopiedSessionStore); any other error of a document fails that webhook only, and a call that
// fails as a whole (the database away, a write concern not met) fails every webhook of the batch,
// so none is answered for an event that may not be stored.
import mongoose, { type Model } from 'mongoose';
import { ServiceError } from '../errors';
import { GroupCommit, type GroupCommitOptions, type WriteOutcome } from './groupCommit';
import { isDuplicateKey } from './indexes';
import type { SessionEventDoc } from './models';

/** Inserted, or an event was already stored under its id. */
export interface EventInsert {
  inserted: boolean;
}

const { MongoBulkWriteError } = mongoose.mongo;

/** The documents a bulk insert refused, by their index in it; throws when the call failed as a whole. */
function refusedDocuments(error: unknown): Map<number, unknown> {
  if (!(error instanceof MongoBulkWriteError) || error.err || error.result?.getWriteConcernError()) throw ServiceError.storeUnavailable(error);
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  if (writeErrors.length === 0) throw ServiceError.storeUnavailable(error);
  return new Map(writeErrors.map((writeError) => [writeError.index, writeError]));
}

export class GroupedEventInserts {
  private readonly batches: GroupCommit<SessionEventDoc, EventInsert>;

  constructor(
    private readonly events: Model<SessionEventDoc>,
    options: GroupCommitOptions,
  ) {
    this.batches = new GroupCommit((docs) => this.insertAll(docs), options);
  }

  /** Resolves once the batch holding the event is stored (or found its id stored); rejects with `store_unavailable` when it may not be. */
  insert(doc: SessionEventDoc): Promise<EventInsert> {
    return this.batches.submit(doc);
  }

  private async insertAll(docs: SessionEventDoc[]): Promise<WriteOutcome<EventInsert>[]> {
    // The first document of each id is sent; a later one of the same id is its duplicate.
    const sentIndex = new Map<string, number>();
    const sent: SessionEventDoc[] = [];
    for (const doc of docs) if (!sentIndex.has(doc._id)) sentIndex.set(doc._id, sent.push(doc) - 1);
    let refused = new Map<number, unknown>();
    try {
      // The driver's own call: mongoose's would hydrate every document and wrap the per-document errors.
      await (this.events.collection as unknown as mongoose.mongo.Collection<SessionEventDoc>).insertMany(sent, { ordered: false });
    } catch (error) {
      refused = refusedDocuments(error);
    }
    return docs.map((doc): WriteOutcome<EventInsert> => {
      const index = sentIndex.get(doc._id) as number;
      const error = refused.get(index);
      if (error !== undefined && !isDuplicateKey(error)) return { ok: false, error: ServiceError.storeUnavailable(error) };
      // A document of a repeated id that was not the one sent is that one's duplicate.
      return { ok: true, value: { inserted: error === undefined && sent[index] === doc } };
    });
  }
}
