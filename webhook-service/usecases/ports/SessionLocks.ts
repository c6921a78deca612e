// The port that runs one session's state changes one at a time across every instance: the
// webhook intake stores an event and folds it into the session's state under it, so the folded
// state always matches the events it counts.

export interface SessionLocks {
  /** Runs `work` holding the session's lock; throws ServiceError `store_unavailable` when it cannot be had in time. */
  withLock<T>(sessionId: string, work: () => Promise<T>): Promise<T>;
}
