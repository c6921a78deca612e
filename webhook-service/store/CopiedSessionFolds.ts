// The sessions' kept folds in the session copy (Redis), beside the copied records the webhook
// path reads: one field of the session's head. A copy that is not complete (being rebuilt after
// a Redis restart or failover) vouches for no fold: it may fold events the copy lost.
import { decodeFold, encodeFold, type KeptFold } from '../../plugin';
import type { SessionFolds } from '../usecases/ports/SessionFolds';
import type { SessionCopy } from './SessionCopy';

export class CopiedSessionFolds implements SessionFolds {
  constructor(private readonly copy: SessionCopy) {}

  async read(sessionId: string): Promise<KeptFold | null> {
    // An unreachable copy keeps no fold: the state is rebuilt from MongoDB.
    const kept = await this.copy.readFold(sessionId).catch(() => null);
    return kept?.complete && kept.fold !== null ? decodeFold(kept.fold) : null;
  }

  async keep(sessionId: string, fold: KeptFold): Promise<void> {
    await this.copy.putFold(sessionId, encodeFold(fold));
  }
}
