// The sessions' kept folds in MongoDB (`session_folds`, one document per session), for a service
// without a Redis copy: a webhook then reads one small document and counts the session's events
// (an index count on MongoDB) instead of reading and replaying them all. The fold is replaced by
// an upsert, not an insert: only the holder of the session's lock writes it, and a write that
// lost a race (a lock that expired under a slow holder) leaves a fold whose count no longer
// matches, which is not trusted.
import type { Model } from 'mongoose';
import { decodeFold, encodeFold, type KeptFold } from '../../plugin';
import { storeCall } from '../errors';
import type { SessionFolds } from '../usecases/ports/SessionFolds';
import type { SessionFoldDoc } from './models';

export class MongoSessionFolds implements SessionFolds {
  constructor(private readonly folds: Model<SessionFoldDoc>) {}

  async read(sessionId: string): Promise<KeptFold | null> {
    const doc = await storeCall(() => this.folds.findById(sessionId).lean<SessionFoldDoc>().exec());
    return doc ? decodeFold(doc.fold) : null;
  }

  async keep(sessionId: string, fold: KeptFold): Promise<void> {
    await storeCall(() => this.folds.updateOne({ _id: sessionId }, { $set: { fold: encodeFold(fold) } }, { upsert: true }).exec());
  }
}
