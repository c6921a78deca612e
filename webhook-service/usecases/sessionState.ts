// A session's state: its LiveKit events folded by the plugin's rules, with the recorded decisions
// laid over them (the status is what was recorded). The intake keeps the fold (SessionFolds) as it
// takes each event (under the session's lock), so reading a session costs what its state weighs,
// not a replay of its history; a fold that does not count every stored event is not trusted, and
// the state is rebuilt from the events (order-free, O(n log n)).
import { decide, decodeState, encodeState, namedRole, newSession, replay, roleOf, withRecordedDecisions, type Appointment, type ParticipantRole, type Decision, type LifecycleRules, type Role, type SessionEvent, type SessionState } from '../../plugin';
import { ServiceError } from '../errors';
import type { SessionFolds } from './ports/SessionFolds';
import type { ActivationRecord, ClosureRecord, SessionHead, SessionRecord, SessionRecords, SessionStore, StoredEvent } from './ports/SessionStore';

export function toSessionEvent(stored: StoredEvent, roomName: string): SessionEvent {
  const at = stored.at.getTime();
  if (stored.kind === 'room_started' || stored.kind === 'room_finished' || stored.participant === null) {
    return { kind: stored.kind as 'room_started' | 'room_finished', id: stored.id, at, room: roomName };
  }
  const { sid, identity, attributes } = stored.participant;
  return { kind: stored.kind, id: stored.id, at, room: roomName, participant: { sid, identity, attributes } };
}

export const appointmentOf = (session: SessionRecord): Appointment => ({
  studentIdentity: session.studentIdentity,
  counselorIdentity: session.counselorIdentity,
  ...(session.participants && session.participants.length > 0 ? { participants: session.participants } : {}),
  ...(session.group ? { group: session.group } : {}),
  ...(session.appointmentChangedAt ? { changedAt: session.appointmentChangedAt.getTime() } : {}),
});

/** The role the appointment gives an identity now; null when it is not on it. */
export const namedRoleIn = (session: SessionRecord, identity: string): ParticipantRole | null => namedRole(appointmentOf(session), identity);

/** The role the session's record gives an identity (`guest`: not on the appointment). Never what a client claims. */
export const roleInSession = (session: SessionRecord, identity: string): Role => roleOf(appointmentOf(session), { sid: '', identity, attributes: {} });

/** Everyone on the appointment who may publish once it is active: all but observers, who only ever watch. */
export function publishersOf(session: SessionRecord): string[] {
  const listed = (session.participants ?? []).filter((entry) => entry.role !== 'observer').map((entry) => entry.identity);
  return [...new Set([session.studentIdentity, session.counselorIdentity, ...listed])];
}

/** A session as the use cases see it: its record, its decisions, and its state. */
export interface LoadedSession {
  session: SessionRecord;
  activation: ActivationRecord | null;
  closure: ClosureRecord | null;
  state: SessionState;
}

const emptyState = (session: SessionRecord, rules: LifecycleRules): SessionState =>
  newSession(session.id, appointmentOf(session), { lifecycle: rules, scheduledStart: session.scheduledStart?.getTime() ?? null });

/** The fold of the session's stored events (all of them, or all but `withoutEventId`), in whatever order the store returned them. */
export function foldEvents(records: SessionRecords, rules: LifecycleRules, withoutEventId?: string): SessionState {
  const events = records.events.filter((event) => event.id !== withoutEventId).map((event) => toSessionEvent(event, records.session.roomName));
  return replay(emptyState(records.session, rules), events);
}

/** How a fold is kept: the number of events it folds, then the state in the plugin's compact form. */
export const encodeFold = (state: SessionState, events: number): string => `${events}:${encodeState(state)}`;

/**
 * The kept fold, when it folds exactly the events the store counts under the appointment as it
 * is now (a fold from before a change of its people is rebuilt); the rules are today's.
 */
export function currentFold(head: SessionHead, fold: string | null, rules: LifecycleRules): SessionState | null {
  if (!fold) return head.eventCount === 0 ? emptyState(head.session, rules) : null;
  const colon = fold.indexOf(':');
  if (colon < 0 || Number(fold.slice(0, colon)) !== head.eventCount) return null;
  const state = decodeState(fold.slice(colon + 1));
  if (!state || state.sessionId !== head.session.id) return null;
  if ((state.appointment.changedAt ?? null) !== (head.session.appointmentChangedAt?.getTime() ?? null)) return null;
  return { ...state, lifecycle: rules, scheduledStart: head.session.scheduledStart?.getTime() ?? null };
}

/**
 * The state as of `now` (the service's clock): a group that starts at its scheduled time has
 * reached it once the clock has, whether or not its timer ran yet. Time is an input of the rules,
 * never remembered: the effects say what reaching it asks for (the activation).
 */
export function asOf(state: SessionState, now: number): Decision {
  const due = state.scheduledStart;
  if (!state.roster.startsAtSchedule || state.scheduleReached || due === null || now < due) return { state, effects: [] };
  return decide(state, { kind: 'start_due', at: now });
}

export const withDecisions = (state: SessionState, { activation, closure }: Pick<SessionHead, 'activation' | 'closure'>): SessionState =>
  withRecordedDecisions(state, {
    activation: activation ? { startedAt: activation.startedAt.getTime() } : null,
    closure: closure ? { status: closure.status, reason: closure.reason, at: closure.at.getTime(), endedAt: closure.endedAt?.getTime() ?? null } : null,
  });

/** The session's head, or `session_not_found`. */
export async function loadHead(store: SessionStore, sessionId: string): Promise<SessionHead> {
  const head = await store.loadHead(sessionId);
  if (!head) throw ServiceError.notFound(sessionId);
  return head;
}

/** The session's records, or `session_not_found`. */
export async function loadRecords(store: SessionStore, sessionId: string): Promise<SessionRecords> {
  const records = await store.loadRecords(sessionId);
  if (!records) throw ServiceError.notFound(sessionId);
  return records;
}

/** Where a session's state comes from: its records, and its kept fold. */
export interface SessionSources {
  store: SessionStore;
  folds: SessionFolds;
}

/** The session with its current state: from the kept fold when it is current, else rebuilt from its events. */
export async function loadSession({ store, folds }: SessionSources, sessionId: string, rules: LifecycleRules): Promise<LoadedSession> {
  const [head, fold] = await Promise.all([loadHead(store, sessionId), folds.read(sessionId)]);
  const folded = currentFold(head, fold, rules) ?? foldEvents(await loadRecords(store, sessionId), rules);
  return { session: head.session, activation: head.activation, closure: head.closure, state: withDecisions(folded, head) };
}
