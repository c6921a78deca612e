// A counseling session as a pure state machine: `decide` takes the state and one input (a LiveKit
// event, a clinic command, or one of the service's timers firing) and returns the next state and
// the effects the service must carry out. No I/O and no clock: every instant is in the input.
// The rule set is in README.md.
//
// Cost: the state is a fold, not a log. Each participant event merges into its sid's presence
// (order-free, see presence.ts); `decide` compares the changed presence with the other seat's
// only while it can still move the start (O(1) per event once active) and copies the state once
// (O(sids)); `replay` of n stored events is O(n log n) whatever their order. The service keeps
// the fold between events and decides each new one against it; it replays the stored events
// only to rebuild a fold it cannot trust.

import type { SessionEvent } from './events';
import { closedByRoomEnd, intervalOf, mergePresence, overlapStart, type Presence } from './presence';
import type { EndReason, SessionStatus } from './protocol';
import { roleOf, type Appointment, type Role, type RolePolicy } from './roles';

export type { SessionStatus } from './protocol';

/** The service's timing rules for a session's lifecycle. */
export interface LifecycleRules {
  /** How long an active session waits for the student or the counselor to come back once neither is connected, in ms. */
  rejoinGraceMs: number;
  /** How long after `scheduledStart` a pair never complete is a no-show, in ms; null: never. */
  noShowAfterMs: number | null;
}

export const DEFAULT_LIFECYCLE: LifecycleRules = { rejoinGraceMs: 600_000, noShowAfterMs: 1_800_000 };

/** A clinic's request; `at` is the service's time of the request (epoch ms). */
export type ClinicCommand = { kind: 'end_requested'; at: number } | { kind: 'cancel_requested'; at: number };

/** One of the service's timers firing; `at` is when it ran (epoch ms), which may be late. */
export type TimerFired = { kind: 'grace_expired'; at: number } | { kind: 'no_show_due'; at: number };

export type SessionInput = SessionEvent | ClinicCommand | TimerFired;

/** Why a clinic command cannot be carried out in the session's status. */
export type Refusal = 'session_not_active' | 'session_active' | 'session_ended' | 'session_cancelled' | 'session_no_show';

export type ClosedStatus = Exclude<SessionStatus, 'waiting' | 'active'>;

export interface SessionState {
  sessionId: string;
  appointment: Appointment;
  policy: RolePolicy;
  lifecycle: LifecycleRules;
  /** epoch ms, or null when the clinic gave no time. */
  scheduledStart: number | null;
  status: SessionStatus;
  /** When the student and the counselor were first connected together (epoch ms, LiveKit time). */
  actualStart: number | null;
  /** For `ended`: when the clinic ended it, or when the last of the pair left (timeout). */
  actualEnd: number | null;
  endReason: EndReason | null;
  /** When the session closed (any final status), in the time of the input that closed it. */
  closedAt: number | null;
  /** Keyed by participant sid. */
  presences: Readonly<Record<string, Presence>>;
  /** Every `room_finished` time, ascending: a room's end closes the presences still open in it. */
  roomFinishes: readonly number[];
  /** The latest moment a student or counselor left (clamped leave or room end), epoch ms. */
  lastPairLeftAt: number | null;
  /** Connected sids per role now. */
  connected: Readonly<Record<Role, number>>;
  /** Sids per seat, for pairing; order carries no meaning. */
  seats: Readonly<Record<'student' | 'counselor', readonly string[]>>;
}

export type Effect =
  /** The pair is complete for the first time: tell the room (snapshot and data message). */
  | { type: 'activate'; sessionId: string; startedAt: number }
  /** A student or counselor connected (new sid) to an already active session. */
  | { type: 'notify_active'; sessionId: string; identity: string; sid: string; startedAt: number }
  /** Active, and neither student nor counselor is connected: end the session at `dueAt` unless one returns. */
  | { type: 'await_return'; sessionId: string; lastLeftAt: number; dueAt: number }
  /** A scheduled session still waiting: decide the no-show at `dueAt` (a timer that fired early asks again). */
  | { type: 'await_no_show'; sessionId: string; dueAt: number }
  /** Before the start, one of the pair is connected and the other is not. */
  | { type: 'waiting'; sessionId: string; identity: string; role: 'student' | 'counselor'; since: number }
  /** The session closed for good. */
  | { type: 'close'; sessionId: string; status: ClosedStatus; reason: EndReason; at: number; startedAt: number | null; endedAt: number | null };

export interface Decision {
  state: SessionState;
  effects: Effect[];
  /** Set when a clinic command is not allowed now; the state is then unchanged. */
  refusal?: Refusal;
}

export interface NewSessionOptions {
  policy?: RolePolicy;
  lifecycle?: LifecycleRules;
  scheduledStart?: number | null;
}

export function newSession(sessionId: string, appointment: Appointment, options: NewSessionOptions = {}): SessionState {
  return {
    sessionId,
    appointment,
    policy: options.policy ?? {},
    lifecycle: options.lifecycle ?? DEFAULT_LIFECYCLE,
    scheduledStart: options.scheduledStart ?? null,
    status: 'waiting',
    actualStart: null,
    actualEnd: null,
    endReason: null,
    closedAt: null,
    presences: {},
    roomFinishes: [],
    lastPairLeftAt: null,
    connected: { student: 0, counselor: 0, guest: 0 },
    seats: { student: [], counselor: [] },
  };
}

/** A state whose fields `apply` may change in place; `decide` hands it a copy. */
interface Draft extends Omit<SessionState, 'presences' | 'roomFinishes' | 'connected' | 'seats'> {
  presences: Record<string, Presence>;
  roomFinishes: number[];
  connected: Record<Role, number>;
  seats: Record<'student' | 'counselor', string[]>;
}

function draftOf(state: SessionState): Draft {
  return {
    ...state,
    presences: { ...state.presences },
    roomFinishes: [...state.roomFinishes],
    connected: { ...state.connected },
    seats: { student: [...state.seats.student], counselor: [...state.seats.counselor] },
  };
}

const isOpen = (status: SessionStatus): boolean => status === 'waiting' || status === 'active';
const isSeat = (role: Role): role is 'student' | 'counselor' => role !== 'guest';
const otherSeat = (role: 'student' | 'counselor'): 'student' | 'counselor' => (role === 'student' ? 'counselor' : 'student');
const pairConnected = (draft: Draft): number => draft.connected.student + draft.connected.counselor;

function close(draft: Draft, status: ClosedStatus, reason: EndReason, at: number, endedAt: number | null): Effect {
  draft.status = status;
  draft.endReason = reason;
  draft.closedAt = at;
  draft.actualEnd = endedAt;
  return { type: 'close', sessionId: draft.sessionId, status, reason, at, startedAt: draft.actualStart, endedAt };
}

function awaitReturn(draft: Draft): Effect | null {
  if (draft.status !== 'active' || pairConnected(draft) > 0 || draft.lastPairLeftAt === null) return null;
  const lastLeftAt = draft.lastPairLeftAt;
  return { type: 'await_return', sessionId: draft.sessionId, lastLeftAt, dueAt: lastLeftAt + draft.lifecycle.rejoinGraceMs };
}

const leftAtOf = (presence: Presence | undefined): number | null => (presence ? (intervalOf(presence)?.leftAt ?? null) : null);

/** The latest leave of any student or counselor sid: a scan, needed only when a close moved earlier. */
function latestSeatLeave(draft: Draft): number | null {
  let latest: number | null = null;
  for (const sid of [...draft.seats.student, ...draft.seats.counselor]) {
    const leftAt = leftAtOf(draft.presences[sid]);
    if (leftAt !== null && (latest === null || leftAt > latest)) latest = leftAt;
  }
  return latest;
}

/** Puts `next` in place of `before` and keeps the counts, the seats and the last leave in step. */
function replacePresence(draft: Draft, before: Presence | undefined, next: Presence): void {
  draft.presences[next.sid] = next;
  if (before?.outcome === 'connected') draft.connected[before.role] -= 1;
  if (next.outcome === 'connected') draft.connected[next.role] += 1;
  if (!isSeat(next.role)) return;
  const hadSpan = before !== undefined && intervalOf(before) !== null;
  const hasSpan = intervalOf(next) !== null;
  if (!hadSpan && hasSpan) draft.seats[next.role].push(next.sid);
  // An abort after the join: the sid never really connected (rare, so the splice is cheap enough).
  else if (hadSpan && !hasSpan) draft.seats[next.role].splice(draft.seats[next.role].indexOf(next.sid), 1);
  const was = leftAtOf(before);
  const now = leftAtOf(next);
  // A room's end closed this sid, then its own earlier leave arrived: the last leave may move back.
  if (was !== null && was === draft.lastPairLeftAt && (now === null || now < was)) draft.lastPairLeftAt = latestSeatLeave(draft);
  else if (now !== null && (draft.lastPairLeftAt === null || now > draft.lastPairLeftAt)) draft.lastPairLeftAt = now;
}

/** Moves `actualStart` to the earliest overlap of `presence` with the other seat, if earlier. */
function pair(draft: Draft, presence: Presence): void {
  if (!isSeat(presence.role)) return;
  const span = intervalOf(presence);
  // Any overlap with this span starts at or after its join: nothing to find once the start is earlier.
  if (!span || (draft.actualStart !== null && span.joinedAt >= draft.actualStart)) return;
  for (const sid of draft.seats[otherSeat(presence.role)]) {
    const other = draft.presences[sid];
    const otherSpan = other ? intervalOf(other) : null;
    const from = otherSpan ? overlapStart(span, otherSpan) : null;
    if (from !== null && (draft.actualStart === null || from < draft.actualStart)) draft.actualStart = from;
  }
}

function roomClosedAfter(finishes: readonly number[]): (joinedAt: number) => number | null {
  return (joinedAt) => finishes.find((finishedAt) => finishedAt >= joinedAt) ?? null;
}

/** Merges one participant event into its sid's presence; returns the presence before and after. */
function mergeParticipantEvent(draft: Draft, event: Extract<SessionEvent, { participant: unknown }>): { before: Presence | undefined; next: Presence } {
  const before = draft.presences[event.participant.sid];
  const role = before?.role ?? roleOf(draft.appointment, event.participant, draft.policy);
  const next = mergePresence(before, event.kind, event.at, event.participant, role, roomClosedAfter(draft.roomFinishes));
  replacePresence(draft, before, next);
  return { before, next };
}

function takeParticipantEvent(draft: Draft, event: Extract<SessionEvent, { participant: unknown }>): Effect[] {
  const wasActive = draft.status === 'active';
  const pairBefore = pairConnected(draft);
  const { before, next } = mergeParticipantEvent(draft, event);
  pair(draft, next);
  if (!isOpen(draft.status)) return [];

  const effects: Effect[] = [];
  const { sessionId } = draft;
  if (draft.status === 'waiting' && draft.actualStart !== null) {
    draft.status = 'active';
    effects.push({ type: 'activate', sessionId, startedAt: draft.actualStart });
  } else if (wasActive && draft.actualStart !== null && next.outcome === 'connected' && before?.outcome !== 'connected' && isSeat(next.role)) {
    effects.push({ type: 'notify_active', sessionId, identity: next.identity, sid: next.sid, startedAt: draft.actualStart });
  }
  if (draft.status === 'waiting' && next.outcome === 'connected' && isSeat(next.role) && before?.outcome !== 'connected') {
    const waitingFor = otherSeat(next.role);
    if (draft.connected[waitingFor] === 0 && draft.connected[next.role] === 1) {
      effects.push({ type: 'waiting', sessionId, identity: next.identity, role: next.role, since: next.joinedAt as number });
    }
  }
  const justEmptied = pairBefore > 0 || effects.some((effect) => effect.type === 'activate');
  const waitForReturn = justEmptied ? awaitReturn(draft) : null;
  if (waitForReturn) effects.push(waitForReturn);
  return effects;
}

/** Closes every presence still open in a room that finished at `at`. */
function mergeRoomFinished(draft: Draft, at: number): boolean {
  if (draft.roomFinishes.includes(at)) return false;
  draft.roomFinishes.push(at);
  draft.roomFinishes.sort((a, b) => a - b);
  for (const presence of Object.values(draft.presences)) {
    const closed = closedByRoomEnd(presence, at);
    if (closed !== presence) replacePresence(draft, presence, closed);
  }
  return true;
}

/**
 * The first instant some student and some counselor sid were both connected, from the final
 * presences: one sweep over the seats' intervals in time order (joins before leaves at the same
 * instant, since intervals are closed). O(n log n).
 */
function firstMomentTogether(draft: Draft): number | null {
  const marks: { at: number; leaving: boolean; role: 'student' | 'counselor' }[] = [];
  for (const role of ['student', 'counselor'] as const) {
    for (const sid of draft.seats[role]) {
      const presence = draft.presences[sid];
      const span = presence ? intervalOf(presence) : null;
      if (!span) continue;
      marks.push({ at: span.joinedAt, leaving: false, role });
      if (span.leftAt !== null) marks.push({ at: span.leftAt, leaving: true, role });
    }
  }
  marks.sort((a, b) => a.at - b.at || Number(a.leaving) - Number(b.leaving));
  const open = { student: 0, counselor: 0 };
  for (const mark of marks) {
    open[mark.role] += mark.leaving ? -1 : 1;
    if (!mark.leaving && open.student > 0 && open.counselor > 0) return mark.at;
  }
  return null;
}

function takeRoomFinished(draft: Draft, at: number): Effect[] {
  const pairBefore = pairConnected(draft);
  if (!mergeRoomFinished(draft, at) || !isOpen(draft.status) || pairBefore === 0) return [];
  const waitForReturn = awaitReturn(draft);
  return waitForReturn ? [waitForReturn] : [];
}

const REFUSAL_OF_CLOSED: Record<ClosedStatus, Refusal> = {
  ended: 'session_ended',
  cancelled: 'session_cancelled',
  no_show: 'session_no_show',
};

function takeCommand(draft: Draft, command: ClinicCommand): { effects: Effect[]; refusal?: Refusal } {
  const target: ClosedStatus = command.kind === 'end_requested' ? 'ended' : 'cancelled';
  if (draft.status === target) return { effects: [] };
  if (!isOpen(draft.status)) return { effects: [], refusal: REFUSAL_OF_CLOSED[draft.status as ClosedStatus] };
  if (command.kind === 'end_requested') {
    if (draft.status !== 'active') return { effects: [], refusal: 'session_not_active' };
    // The clinic's clock and LiveKit's may disagree by a little; an end never precedes the start.
    const endedAt = Math.max(command.at, draft.actualStart ?? command.at);
    return { effects: [close(draft, 'ended', 'ended', command.at, endedAt)] };
  }
  if (draft.status !== 'waiting') return { effects: [], refusal: 'session_active' };
  return { effects: [close(draft, 'cancelled', 'cancelled', command.at, null)] };
}

function takeTimer(draft: Draft, timer: TimerFired): Effect[] {
  const { lifecycle, sessionId } = draft;
  if (timer.kind === 'grace_expired') {
    const due = draft.lastPairLeftAt === null ? null : draft.lastPairLeftAt + lifecycle.rejoinGraceMs;
    if (draft.status !== 'active' || pairConnected(draft) > 0 || due === null) return [];
    // Fired before the grace of the last leave we know of (a later leave arrived meanwhile): again then.
    if (timer.at < due) return [awaitReturn(draft) as Effect];
    return [close(draft, 'ended', 'timeout', timer.at, draft.lastPairLeftAt)];
  }
  if (draft.status !== 'waiting' || draft.scheduledStart === null || lifecycle.noShowAfterMs === null) return [];
  const noShowDue = draft.scheduledStart + lifecycle.noShowAfterMs;
  // Fired early (another instance's clock, a window changed since it was armed): again then.
  if (timer.at < noShowDue) return [{ type: 'await_no_show', sessionId, dueAt: noShowDue }];
  // The pair was complete but the activation has not been recorded yet: start, don't close.
  if (draft.actualStart !== null) return [{ type: 'activate', sessionId, startedAt: draft.actualStart }];
  return [close(draft, 'no_show', 'no_show', timer.at, null)];
}

/** Applies one input to `draft` in place. */
function apply(draft: Draft, input: SessionInput): { effects: Effect[]; refusal?: Refusal } {
  switch (input.kind) {
    case 'participant_joined':
    case 'participant_left':
    case 'participant_connection_aborted':
    case 'participant_seen':
    case 'participant_gone':
      return { effects: takeParticipantEvent(draft, input) };
    case 'room_finished':
      return { effects: takeRoomFinished(draft, input.at) };
    case 'room_started':
      return { effects: [] };
    case 'end_requested':
    case 'cancel_requested':
      return takeCommand(draft, input);
    case 'grace_expired':
    case 'no_show_due':
      return { effects: takeTimer(draft, input) };
  }
}

/**
 * Takes one input. Repeats of an event change nothing and ask for nothing new; a final status
 * never changes (later events still complete the attendance). The start is the first moment
 * together the events show: a late event can move it earlier, never later, and never undo it.
 */
export function decide(state: SessionState, input: SessionInput): Decision {
  const draft = draftOf(state);
  const { effects, refusal } = apply(draft, input);
  if (refusal) return { state, effects: [], refusal };
  return { state: draft, effects };
}

/**
 * The state after `events`, from a new session (or from `start`), in any order: every presence
 * is merged first (order-free), then the first moment together is found in one sweep. So a
 * replay never sees an interval that a later event removes (a join whose sid turns out to have
 * aborted), and costs O(n log n) for n events. It asks for nothing: the service decides each new
 * event against the replay of the others.
 */
export function replay(start: SessionState, events: Iterable<SessionEvent>): SessionState {
  const draft = draftOf(start);
  for (const event of events) {
    if ('participant' in event) mergeParticipantEvent(draft, event);
    else if (event.kind === 'room_finished') mergeRoomFinished(draft, event.at);
  }
  const together = firstMomentTogether(draft);
  if (together !== null && (draft.actualStart === null || together < draft.actualStart)) draft.actualStart = together;
  if (draft.status === 'waiting' && draft.actualStart !== null) draft.status = 'active';
  return draft;
}

/** A timer the session's state calls for now: when it is due and what fires then. */
export interface PendingTimer {
  kind: TimerFired['kind'];
  dueAt: number;
}

/**
 * The timers the state asks for, derived from the state alone (so a lost timer can always be
 * armed again from the durable record): the rejoin grace of an active session nobody of the pair
 * is connected to, and the no-show window of a scheduled session still waiting. Give it the
 * state with the recorded decisions laid over (`withRecordedDecisions`).
 */
export function pendingTimers(state: SessionState): PendingTimer[] {
  const timers: PendingTimer[] = [];
  const { lifecycle } = state;
  if (state.status === 'active' && state.connected.student + state.connected.counselor === 0 && state.lastPairLeftAt !== null) {
    timers.push({ kind: 'grace_expired', dueAt: state.lastPairLeftAt + lifecycle.rejoinGraceMs });
  }
  if (state.status === 'waiting' && state.actualStart === null && state.scheduledStart !== null && lifecycle.noShowAfterMs !== null) {
    timers.push({ kind: 'no_show_due', dueAt: state.scheduledStart + lifecycle.noShowAfterMs });
  }
  return timers;
}

/** What the service recorded of the session's decisions (each one made once, atomically). */
export interface RecordedDecisions {
  activation: { startedAt: number } | null;
  closure: { status: ClosedStatus; reason: EndReason; at: number; endedAt: number | null } | null;
}

/**
 * The state as the service's records say: the status is what was recorded, not what the events
 * alone would give (a pair complete but not yet recorded is still `waiting`, so deciding the
 * next event asks for the activation again; a closure stands whatever events came after).
 */
export function withRecordedDecisions(state: SessionState, recorded: RecordedDecisions): SessionState {
  const { activation, closure } = recorded;
  const actualStart = activation?.startedAt ?? state.actualStart;
  if (closure) {
    // The room is released at the close, so LiveKit's last leaves may never be routed here:
    // nobody stays connected to a closed session past its end.
    const draft = draftOf(state);
    const until = closure.endedAt ?? closure.at;
    for (const presence of Object.values(draft.presences)) {
      const closed = closedByRoomEnd(presence, until);
      if (closed !== presence) replacePresence(draft, presence, closed);
    }
    return { ...draft, actualStart, status: closure.status, endReason: closure.reason, closedAt: closure.at, actualEnd: closure.endedAt };
  }
  return { ...state, actualStart, status: activation ? 'active' : 'waiting', endReason: null, closedAt: null, actualEnd: null };
}
