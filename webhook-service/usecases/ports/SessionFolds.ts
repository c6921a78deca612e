// The kept state of each session: its LiveKit events folded by the plugin's rules, as the intake
// last saved it under the session's lock. With it a webhook reads the state it needs whatever the
// session's history, instead of reading and replaying every event. A fold says how many events it
// folds; it is trusted only when that is the number the SessionStore holds, else the state is
// rebuilt from the events. How it is kept is the keeper's (the plugin's compact text form,
// stateCodec.encodeFold): in the Redis copy when the service has one (store/CopiedSessionFolds.ts),
// in MongoDB otherwise (store/MongoSessionFolds.ts). A session's deletion forgets its fold with its
// records.
import type { KeptFold } from '../../../plugin';

export interface SessionFolds {
  /** The fold last kept for the session; null when none is kept, it cannot be read back (damaged, another form), or its keeper cannot vouch for it (a copy being rebuilt). */
  read(sessionId: string): Promise<KeptFold | null>;
  /** Keeps the session's fold in place of the one before. */
  keep(sessionId: string, fold: KeptFold): Promise<void>;
}
