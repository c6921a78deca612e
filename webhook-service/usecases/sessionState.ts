// A session's state from its records: the stored LiveKit events folded by the plugin's rules,
// then the recorded decisions laid over them (the status is what was recorded). Shared by the
// API views, the intake, the timers and the worker.
import {
  newSession,
  replay,
  withRecordedDecisions,
  type LifecycleRules,
  type SessionEvent,
  type SessionState,
} from '../../plugin';
import { ServiceError } from '../errors';
import type { SessionRecord, SessionRecords, SessionStore, StoredEvent } from './ports/SessionStore';

export function toSessionEvent(stored: StoredEvent, roomName: string): SessionEvent {
  const at = stored.at.getTime();
  if (stored.kind === 'room_started' || stored.kind === 'room_finished' || stored.participant === null) {
    return { kind: stored.kind as 'room_started' | 'room_finished', id: stored.id, at, room: roomName };
  }
  const { sid, identity, attributes } = stored.participant;
  return { kind: stored.kind, id: stored.id, at, room: roomName, participant: { sid, identity, attributes } };
}

export const appointmentOf = (session: SessionRecord) => ({
  studentIdentity: session.studentIdentity,
  counselorIdentity: session.counselorIdentity,
});

/** The state of `records`, leaving out the event `withoutEventId` (the one about to be decided). */
export function stateOf(records: SessionRecords, rules: LifecycleRules, withoutEventId?: string): SessionState {
  const { session, activation, closure } = records;
  const start = newSession(session.id, appointmentOf(session), { lifecycle: rules, scheduledStart: session.scheduledStart?.getTime() ?? null });
  // In whatever order the store returns them (a Redis hash's is arbitrary): replay is order-free.
  const events = records.events.filter((event) => event.id !== withoutEventId).map((event) => toSessionEvent(event, session.roomName));
  return withRecordedDecisions(replay(start, events), {
    activation: activation ? { startedAt: activation.startedAt.getTime() } : null,
    closure: closure ? { status: closure.status, reason: closure.reason, at: closure.at.getTime(), endedAt: closure.endedAt?.getTime() ?? null } : null,
  });
}

/** The session's records, or `session_not_found`. */
export async function loadRecords(store: SessionStore, sessionId: string): Promise<SessionRecords> {
  const records = await store.loadRecords(sessionId);
  if (!records) throw ServiceError.notFound(sessionId);
  return records;
}
