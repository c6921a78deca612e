// The audit of the calls that give or take away access to a session (create, token, end, cancel,
// adding or removing a participant):
// who did what to which session, and how it ended, in the clinic's words. The entry is written
// before the answer goes out, so access is never handed out unrecorded (an audit that cannot be
// written fails the call instead); a refused call is recorded with its code as far as the audit
// can be written, and the refusal goes on unchanged.
import { isServiceError } from '../errors';
import { newAuditId } from '../ids';
import type { Logger } from '../logger';
import type { AuditAction, CallAudit, CallOutcome } from './ports/AuditTrail';
import type { Clock } from './ports/Clock';
import type { ParticipantCredential } from './ports/ParticipantCredentials';

export interface AuditCallsDeps {
  calls: CallAudit;
  clock: Clock;
  logger: Logger;
}

/** The key name of the entries of participants' own calls (made with their join token, not a clinic key). */
export const PARTICIPANT_KEY_NAME = 'participant';

export interface AuditedCall {
  action: AuditAction;
  /** The clinic API key's name, never its secret. */
  keyName: string;
  /** The session the call names; null when it names none (a create). */
  sessionId: string | null;
  /** For token mints: whose token; for a participant's own call: who called. */
  identity: string | null;
}

/** What a call that went through did: its answer, the session it acted on, and `created` for a create that made a new session. */
export interface CallDone<T> {
  value: T;
  sessionId: string;
  result: 'created' | 'done';
}

async function audited<T>(deps: AuditCallsDeps, call: AuditedCall, run: () => Promise<CallDone<T>>, recordsRefusal: (outcome: CallOutcome) => boolean): Promise<CallDone<T>> {
  const record = (sessionId: string | null, outcome: CallOutcome) =>
    deps.calls.record({ id: newAuditId(), keyName: call.keyName, action: call.action, sessionId, identity: call.identity, at: new Date(deps.clock.now()), outcome });
  let done: CallDone<T>;
  try {
    done = await run();
  } catch (error) {
    const refused: CallOutcome = { result: 'refused', code: isServiceError(error) ? error.code : 'internal' };
    if (recordsRefusal(refused)) {
      // The caller hears of the refusal itself, not of the audit's trouble.
      await record(call.sessionId, refused).catch((failure: unknown) => {
        deps.logger.error({ err: failure, action: call.action, keyName: call.keyName }, 'audit entry of a refused call not written');
      });
    }
    throw error;
  }
  await record(done.sessionId, { result: done.result });
  return done;
}

/** A call made with a clinic API key; a refusal naming an unknown session is recorded too (who asked for which id). */
export const auditClinicCall = <T>(deps: AuditCallsDeps, call: AuditedCall, run: () => Promise<CallDone<T>>): Promise<CallDone<T>> => audited(deps, call, run, () => true);

/**
 * A participant's own call, under the key name `participant` with the identity and session its
 * credential proves. A refusal for a session that no longer exists is not recorded: nothing to
 * attach it to.
 */
export const auditParticipantCall = <T>(deps: AuditCallsDeps, action: AuditAction, credential: ParticipantCredential, run: () => Promise<CallDone<T>>): Promise<CallDone<T>> =>
  audited(deps, { action, keyName: PARTICIPANT_KEY_NAME, sessionId: credential.sessionId, identity: credential.identity }, run, (outcome) => !('code' in outcome && outcome.code === 'session_not_found'));
