// The audit keeps the answer each call got as the clinic API reports it (its HTTP status and
// error code); the use case records the outcome in the clinic's words, and this turns it into
// that answer, from the one code-to-status table.
import type { AuditTrail, CallAudit, CallOutcome } from '../usecases/ports/AuditTrail';
import { ERROR_STATUS } from './errorStatus';

/** The HTTP answer of an outcome: 201 for a create that made a new session, 200 for any other done call, the error's status for a refusal. */
export function answerOf(outcome: CallOutcome): { status: number; code: string | null } {
  if (outcome.result === 'refused') return { status: ERROR_STATUS[outcome.code], code: outcome.code };
  return { status: outcome.result === 'created' ? 201 : 200, code: null };
}

/** The audit trail written with each call's answer. */
export const answeredAudit = (trail: AuditTrail): CallAudit => ({
  record: ({ outcome, ...entry }) => trail.record({ ...entry, outcome: answerOf(outcome) }),
});
