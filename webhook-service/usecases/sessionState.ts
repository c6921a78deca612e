// Reading a session's state: the event log is the truth, and the plugin's replay() of it is the
// state. Shared by the API views, the intake and the worker.
import { replay, type SessionEvent, type SessionState, type SessionStatus } from '../../plugin';
import type { ActivationRecord, SessionRecord, SessionStore, StoredEvent } from './ports/SessionStore';

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

/** The replayed state of `events` (all of the session's, or a subset). */
export function replayEvents(session: SessionRecord, events: readonly StoredEvent[]): SessionState {
  return replay(session.id, appointmentOf(session), events.map((event) => toSessionEvent(event, session.roomName)));
}

/**
 * The public status: ended once the log holds room_finished (the only thing that releases the
 * room); active once an activation record exists (the worker's decision, made once); waiting
 * otherwise.
 */
export function statusOf(state: SessionState, activation: ActivationRecord | null): SessionStatus {
  if (state.status === 'ended') return 'ended';
  return activation ? 'active' : 'waiting';
}

export interface LoadedSession {
  session: SessionRecord;
  state: SessionState;
  activation: ActivationRecord | null;
  status: SessionStatus;
}

export async function loadSession(store: SessionStore, session: SessionRecord): Promise<LoadedSession> {
  const [events, activation] = await Promise.all([store.listEvents(session.id), store.findActivation(session.id)]);
  const state = replayEvents(session, events);
  return { session, state, activation, status: statusOf(state, activation) };
}
