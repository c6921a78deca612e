// A session's state: its LiveKit events folded by the plugin's rules, with the recorded decisions
// laid over them (the status is what was recorded). Read once, as one value (loadSession), and
// kept by the intake as it records each event (recordAndFold, under the session's lock): the head
// and the kept fold (SessionFolds) are read together and the fold written back, so reading a
// session costs what its state weighs, not a replay of its history; a fold that does not count
// every stored event is not trusted, and the state is rebuilt from the events (order-free,
// O(n log n)).
import { decide, namedRole, newSession, replay, roleOf, withRecordedDecisions, type Appointment, type ParticipantRole, type Decision, type Effect, type KeptFold, type LifecycleRules, type Role, type SessionEvent, type SessionState } from '../../plugin';
import { ServiceError } from '../errors';
import type { SessionFolds } from './ports/SessionFolds';
import type { ActivationRecord, ClosureRecord, ReconcileEvidence, SessionHead, SessionRecord, SessionRecords, SessionStore, StoredEvent } from './ports/SessionStore';

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

/** A session as the use cases see it: its record, its appointment, its decisions, and its state. */
export interface LoadedSession {
  session: SessionRecord;
  appointment: Appointment;
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

/**
 * The kept fold, when it folds exactly the events the store counts under the appointment as it
 * is now (a fold from before a change of its people is rebuilt); the rules are today's.
 */
export function currentFold(head: SessionHead, fold: KeptFold | null, rules: LifecycleRules): SessionState | null {
  if (!fold) return head.eventCount === 0 ? emptyState(head.session, rules) : null;
  const { state, events } = fold;
  if (events !== head.eventCount || state.sessionId !== head.session.id) return null;
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

export interface LoadOptions {
  /** The service's clock now: the state is then as of it (a group past its scheduled start has reached it, see asOf). */
  asOf?: number;
}

/** The session with its current state: from the kept fold when it is current, else rebuilt from its events. */
export async function loadSession({ store, folds }: SessionSources, sessionId: string, rules: LifecycleRules, options: LoadOptions = {}): Promise<LoadedSession> {
  const [head, fold] = await Promise.all([loadHead(store, sessionId), folds.read(sessionId)]);
  const folded = currentFold(head, fold, rules) ?? foldEvents(await loadRecords(store, sessionId), rules);
  const state = withDecisions(folded, head);
  return {
    session: head.session,
    appointment: appointmentOf(head.session),
    activation: head.activation,
    closure: head.closure,
    state: options.asOf === undefined ? state : asOf(state, options.asOf).state,
  };
}

/** A LiveKit event as the session's record keeps it: with the role its appointment gives (never one a client claims), and the evidence when reconciliation inferred it. */
function storedEventOf(event: SessionEvent, session: SessionRecord, receivedAt: number, evidence: ReconcileEvidence | null): StoredEvent {
  return {
    ...(evidence ? { reconciled: true, evidence } : {}),
    id: event.id,
    sessionId: session.id,
    kind: event.kind,
    at: new Date(event.at),
    participant:
      'participant' in event
        ? { ...event.participant, attributes: { ...event.participant.attributes }, role: roleOf(appointmentOf(session), event.participant) }
        : null,
    receivedAt: new Date(receivedAt),
  };
}

/** What recording one event did: whether it was new, the event as stored, and what it changes. */
export interface RecordedEvent {
  inserted: boolean;
  stored: StoredEvent;
  /**
   * What the event changes, decided against the recorded decisions as of its arrival, and whether
   * the session had closed before it; absent when the stored event is another session's (a
   * redelivery of an event stored for an earlier session of the room).
   */
  decided?: { closed: boolean; effects: Effect[] };
}

/**
 * Under the session's lock (the caller holds it): stores the event (the insert is the dedupe) and
 * keeps the fold of the session's events current, then decides what the event changes. One read
 * of the head and the kept fold, one write of each; the events are read only to rebuild a fold
 * that does not add up.
 */
export async function recordAndFold(sources: SessionSources, rules: LifecycleRules, session: SessionRecord, event: SessionEvent, receivedAt: number, evidence: ReconcileEvidence | null): Promise<RecordedEvent> {
  const [head, fold] = await Promise.all([loadHead(sources.store, session.id), sources.folds.read(session.id)]);
  const kept = currentFold(head, fold, rules);
  const { inserted, stored } = await sources.store.recordEvent(storedEventOf(event, session, receivedAt, evidence));
  if (stored.sessionId !== session.id) return { inserted, stored };
  let before = inserted ? kept : null;
  let count = head.eventCount + 1;
  if (!before) {
    // A redelivery: its state before must leave it out, so the events are folded again without
    // it. While the kept fold adds up, the copy's events are whole (recordEvent has just put this
    // one there too), so they are read as any other; a fold that does not add up (an event stored
    // but never folded, a field the copy lost) is rebuilt from the database itself. On FerretDB a
    // rebuild scans the events: under retries and duplicates it held session locks for seconds.
    const records = kept ? await sources.store.loadRecords(session.id) : await sources.store.rebuildRecords(session.id);
    if (!records) throw ServiceError.notFound(session.id);
    before = foldEvents(records, rules, event.id);
    count = records.events.length;
  }
  await sources.folds.keep(session.id, { state: decide(before, event).state, events: count });
  // A group past its scheduled time has reached it even if its timer has not run yet.
  const reached = asOf(withDecisions(before, head), receivedAt);
  return { inserted, stored, decided: { closed: head.closure !== null, effects: [...reached.effects, ...decide(reached.state, event).effects] } };
}
