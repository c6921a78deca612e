// The port of the access audit: who (which API key) did what to which session, when, and how it
// ended. Counseling records must show who minted access to which session (HIPAA/FERPA-style),
// and what the service inferred rather than heard (a reconciliation pass's repairs, with its evidence).
import type { ServiceErrorCode } from '../../errors';

export type AuditAction = 'session.create' | 'session.end' | 'session.cancel' | 'token.mint' | 'participant.put' | 'participant.remove' | 'presence.reconciled';

export interface AuditEntry {
  id: string;
  /** The API key's name, never its secret. */
  keyName: string;
  action: AuditAction;
  /** null when the call named no session it could create (a refused create). */
  sessionId: string | null;
  /** For token mints: whose token; for a participant's change: whose. */
  identity: string | null;
  at: Date;
  /**
   * The answer the call got, as the clinic API reports it: its HTTP status, and the error code
   * when it was an error. Written by the HTTP layer from a `CallOutcome` (http/auditAnswers.ts).
   */
  outcome: { status: number; code: string | null };
  /** For `presence.reconciled`: what was recorded and the listing it was inferred from (JSON). */
  detail?: string | null;
}

/** How an audited call ended, in the clinic's words: done (`created`: a create that made a new session), or refused with its error's code. */
export type CallOutcome = { result: 'created' | 'done' } | { result: 'refused'; code: ServiceErrorCode };

/** An audited call's entry as the use case writes it: its outcome in the clinic's words. */
export type CallEntry = Omit<AuditEntry, 'outcome' | 'detail'> & { outcome: CallOutcome };

/** Where the audit of calls is written (the HTTP layer records each with the answer it gave). */
export interface CallAudit {
  /** Durable once resolved; throws ServiceError `store_unavailable`. */
  record(entry: CallEntry): Promise<void>;
}

export interface AuditTrail {
  /** Durable once resolved; throws ServiceError `store_unavailable`. */
  record(entry: AuditEntry): Promise<void>;
  /** Removes the session's entries (retention). */
  deleteForSession(sessionId: string): Promise<void>;
  /**
   * The session's entries newest first (by `at`, then `id`), at most `limit`, those strictly
   * older than `before` when given (the last entry of the previous page).
   */
  list(sessionId: string, page: { limit: number; before: AuditPosition | null }): Promise<AuditEntry[]>;
}

/** Where a page of the audit ends: its last entry's time and id. */
export interface AuditPosition {
  at: Date;
  id: string;
}
