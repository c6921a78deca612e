// Closing a session, as a story: the clinic asks to end or cancel it, or one of its timers
// fires (the rejoin grace ran out, the no-show window passed). The rules decide from the
// recorded state; the closure is recorded by a unique insert, so an end and a timeout, or a
// cancellation and the start, can race and exactly one wins. Then a job tells the room and
// deletes it (the session's own room: nobody else's), and the clinic hears of it. Repeating any of
// it is safe: a request for a session already closed that way repairs what a crash may have left
// undone, and reconciliation asks for an unfinished close again.
import { decide, messageIdFor, type ClinicCommand, type TimerFired } from '../../plugin';
import { ServiceError } from '../errors';
import { carryOut, type CarryOutDeps } from './carryOut';
import type { Clock } from './ports/Clock';
import type { ClinicEvent } from './ports/ClinicEvents';
import type { SessionFolds } from './ports/SessionFolds';
import type { ClosureRecord, SessionStore } from './ports/SessionStore';
import { loadSession, withDecisions, type LoadedSession } from './sessionState';
import type { LifecycleRules } from '../../plugin';

export interface CloseSessionDeps extends CarryOutDeps {
  store: SessionStore;
  folds: SessionFolds;
  clock: Clock;
  rules: LifecycleRules;
}

const REFUSAL_MESSAGES = {
  session_not_active: 'the session has not started: cancel it instead',
  session_active: 'the session has started: end it instead',
  session_ended: 'the session has ended',
  session_cancelled: 'the session was cancelled',
  session_no_show: 'the session was a no-show',
} as const;

const CLINIC_EVENT_OF = { ended: 'session.ended', cancelled: 'session.cancelled', no_show: 'session.no_show' } as const;

function closedEvent(records: LoadedSession, closure: ClosureRecord): ClinicEvent {
  return {
    id: `closed_${closure.sessionId}`,
    type: CLINIC_EVENT_OF[closure.status],
    sessionId: closure.sessionId,
    clinicId: records.session.clinicId,
    occurredAt: closure.at,
    data: {
      roomName: records.session.roomName,
      reason: closure.reason,
      startedAt: records.activation?.startedAt.toISOString() ?? null,
      endedAt: closure.endedAt?.toISOString() ?? null,
      closedAt: closure.at.toISOString(),
    },
  };
}

/** Have the room told and closed, tell the clinic: both idempotent. */
async function followClosure(deps: CloseSessionDeps, records: LoadedSession, closure: ClosureRecord): Promise<void> {
  await deps.jobs.requestClose({ sessionId: closure.sessionId });
  await deps.events.publish([closedEvent(records, closure)]);
}

/**
 * Applies a clinic command or a timer to the session and returns its records afterwards.
 * Throws ServiceError with the refusal's code when the command is not allowed now.
 */
export async function closeSession(deps: CloseSessionDeps, sessionId: string, input: ClinicCommand | TimerFired, attempt = 1): Promise<LoadedSession> {
  const records = await loadSession(deps, sessionId, deps.rules);
  const { effects, refusal } = decide(records.state, input);
  if (refusal) throw new ServiceError(refusal, REFUSAL_MESSAGES[refusal]);
  await carryOut(deps, records.session, effects, { id: `${input.kind}_${input.at}`, receivedAt: deps.clock.now() });
  const close = effects.find((effect) => effect.type === 'close');
  if (!close) {
    if (records.closure) await followClosure(deps, records, records.closure);
    return records;
  }
  const closure: ClosureRecord = {
    kind: 'closure',
    sessionId,
    status: close.status,
    reason: close.reason,
    at: new Date(close.at),
    endedAt: close.endedAt === null ? null : new Date(close.endedAt),
    messageId: messageIdFor('session_ended', sessionId),
    createdAt: new Date(deps.clock.now()),
  };
  const { created, winner } = await deps.store.recordDecision(closure);
  // Another decision won the race (the start, or another closure): decide again knowing it.
  if (!created && attempt === 1) return closeSession(deps, sessionId, input, 2);
  if (winner.kind !== 'closure') throw new ServiceError('internal', `session ${sessionId}: a closure lost twice`);
  const closed = { ...records, closure: winner, state: withDecisions(records.state, { activation: records.activation, closure: winner }) };
  await followClosure(deps, closed, winner);
  return closed;
}
