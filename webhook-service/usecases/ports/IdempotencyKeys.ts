// The storage port of Idempotency-Key: one record per clinic and key, holding what the first
// request was (its fingerprint), the attempt running it, and the answer once there is one.
// Every decision is a unique insert (the record itself; each later attempt), so it holds on
// FerretDB, whose conditional updates are not atomic.

export interface IdempotencyAnswer {
  status: number;
  /** The JSON body as sent. */
  body: string;
}

export interface IdempotencyRecord {
  /** Derived from the clinic and the key (see usecases/answerOnce.ts). */
  id: string;
  /** The request's method, route and body, hashed: a repeat must match it. */
  fingerprint: string;
  /** An id the service minted for whatever the request creates, the same for every attempt (a session's id). */
  mintedId: string;
  createdAt: Date;
  /** The attempt running or last run (1 for the first). */
  attempt: number;
  attemptStartedAt: Date;
  /** The last attempt gave up (a 5xx): the next repeat runs again. */
  released: boolean;
  answer: IdempotencyAnswer | null;
}

export interface IdempotencyKeys {
  /** Inserts the record (attempt 1), or returns the one already stored under its id. */
  claim(record: IdempotencyRecord): Promise<{ claimed: boolean; record: IdempotencyRecord }>;
  read(id: string): Promise<IdempotencyRecord | null>;
  /** Starts attempt `attempt` (the last one + 1) unless someone else did: a unique insert decides. */
  takeOver(id: string, attempt: number, at: Date): Promise<boolean>;
  /** The attempt gave up without an answer worth keeping. */
  release(id: string, attempt: number): Promise<void>;
  /** The attempt's answer, replayed to every repeat from now on. */
  answer(id: string, attempt: number, answer: IdempotencyAnswer): Promise<void>;
  /** Forgets keys first used before `cutoff`; how many. */
  deleteOlderThan(cutoff: Date): Promise<number>;
}
