// Group commit: concurrent writes to one store go out together, one database call for a batch
// (one insertMany of events, one Redis MULTI of copy writes), and each caller is answered once
// its batch is durable. Under the LiveKit webhook load a store's round trip, not its work per
// document, is what costs (FerretDB on SQLite commits every insert command as a transaction of
// its own), so sharing it across sessions is where the intake's headroom comes from; the
// per-session lock already keeps one session's writes in order, so a batch holds at most one
// write per session holder.
//
// The policy (`nextCommit`) is pure: a write that finds the store idle goes at once, alone (a
// single webhook at a low rate never waits for a window); a write that finds a commit in flight
// waits for it to finish, or for the window, whichever comes first, and goes with the others
// that gathered meanwhile; a full batch goes at once.

export interface GroupCommitOptions {
  /**
   * The longest a write waits to share a commit, in ms, and only while another commit is in
   * flight; 0 commits every write alone, at once (env GROUP_COMMIT_WINDOW_MS). @defaultValue 5
   */
  windowMs: number;
  /** The most writes in one commit (env GROUP_COMMIT_MAX_WRITES). @defaultValue 256 */
  maxWrites: number;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { windowMs: 5, maxWrites: 256 };

/** What the batcher knows when it decides. */
export interface CommitState {
  /** Writes waiting for a commit. */
  pending: number;
  /** Commits sent and not yet answered. */
  inFlight: number;
  /** How long the oldest pending write has waited, in ms. */
  oldestWaitedMs: number;
}

/** Commit the pending writes now, or look again after `afterMs` (or when a commit in flight ends). */
export type CommitDecision = { commit: 'now' } | { commit: 'later'; afterMs: number } | { commit: 'nothing' };

export function nextCommit(state: CommitState, options: GroupCommitOptions): CommitDecision {
  if (state.pending === 0) return { commit: 'nothing' };
  if (options.windowMs <= 0 || state.inFlight === 0 || state.pending >= options.maxWrites || state.oldestWaitedMs >= options.windowMs) return { commit: 'now' };
  return { commit: 'later', afterMs: options.windowMs - state.oldestWaitedMs };
}

/** One write's outcome in a commit: its result, or why that write (alone or with its batch) failed. */
export type WriteOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Pending<W, R> {
  write: W;
  since: number;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Batches writes for `commit`, which gets the writes in the order they came and answers one
 * outcome per write, in that order (or throws: every write of the batch fails with that error).
 */
export class GroupCommit<W, R> {
  private pending: Pending<W, R>[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly commit: (writes: W[]) => Promise<WriteOutcome<R>[]>,
    private readonly options: GroupCommitOptions = DEFAULT_GROUP_COMMIT,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isFinite(options.windowMs) || options.windowMs < 0) throw new RangeError(`group commit windowMs must be >= 0, got ${options.windowMs}`);
    if (!Number.isInteger(options.maxWrites) || options.maxWrites < 1) throw new RangeError(`group commit maxWrites must be a positive integer, got ${options.maxWrites}`);
  }

  /** Resolves with the write's result once the commit holding it is answered. */
  submit(write: W): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ write, since: this.now(), resolve, reject });
      this.decide();
    });
  }

  private decide(): void {
    const oldest = this.pending[0];
    const decision = nextCommit({ pending: this.pending.length, inFlight: this.inFlight, oldestWaitedMs: oldest ? this.now() - oldest.since : 0 }, this.options);
    if (decision.commit === 'now') {
      this.send(this.pending.splice(0, this.options.maxWrites));
      // What is left past a full batch decides again (it is now behind a commit in flight).
      if (this.pending.length > 0) this.decide();
    } else if (decision.commit === 'later' && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.decide();
      }, Math.ceil(decision.afterMs));
    }
  }

  private send(batch: Pending<W, R>[]): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.inFlight += 1;
    const settle = (outcomes: WriteOutcome<R>[] | null, error?: unknown): void => {
      batch.forEach((entry, index) => {
        const outcome = outcomes?.[index];
        if (outcome?.ok) entry.resolve(outcome.value);
        else entry.reject(outcome ? outcome.error : (error ?? new Error(`the commit answered no outcome for write ${index} of ${batch.length}`)));
      });
      this.inFlight -= 1;
      this.decide();
    };
    // A commit that throws before its first await is still one failed batch, never a lost write.
    Promise.resolve()
      .then(() => this.commit(batch.map((entry) => entry.write)))
      .then(
        (outcomes) => settle(outcomes),
        (error: unknown) => settle(null, error),
      );
  }
}
