// A counseling session as a pure state machine: `decide` takes the state and one input (a LiveKit
// event, a clinic command, or one of the service's timers firing) and returns the next state and
// the effects the service must carry out. No I/O and no clock: every instant is in the input.
// The rule set is in README.md.
//
// Who must be there for the session to start is the roster's (roster.ts): the two-party
// appointment is the case of a student seat and a counselor seat, both required.
//
// Cost: the state is a fold, not a log. Each participant event merges into its sid's presence
// (order-free, see presence.ts); `decide` sweeps the seats' spans within the changed presence's
// span only while it can still move the start (O(1) per event once active) and copies the state
// once (O(sids)); `replay` of n stored events is O(n log n) whatever their order. The service keeps
// the fold between events and decides each new one against it; it replays the stored events
// only to rebuild a fold it cannot trust.

import type { SessionEvent } from './events';
import { closedByRoomEnd, intervalOf, mergePresence, type Presence } from './presence';
import type { EndReason, SessionStatus } from './protocol';
import { roleOf, type Appointment, type Role, type RolePolicy } from './roles';
import { rosterOf, seatOf, type Roster } from './roster';
import { firstMomentMet, type SeatSpan } from './startRule';
import { stillMissing, type MissingPerson } from './waitingFor';

export type { SessionStatus } from './protocol';

/** The service's timing rules for a session's lifecycle. */
export interface LifecycleRules {
  /** How long an active session waits for someone holding it (a seat) to come back once nobody is connected, in ms. */
  rejoinGraceMs: number;
  /** How long after `scheduledStart` a session never started is a no-show, in ms; null: never. */
  noShowAfterMs: number | null;
}

export const DEFAULT_LIFECYCLE: LifecycleRules = { rejoinGraceMs: 600_000, noShowAfterMs: 1_800_000 };

/** A clinic's request; `at` is the service's time of the request (epoch ms). */
export type ClinicCommand = { kind: 'end_requested'; at: number } | { kind: 'cancel_requested'; at: number };

/**
 * One of the service's timers firing; `at` is when it ran (epoch ms), which may be late.
 * `start_due`: the scheduled start of a group that starts at its scheduled time.
 */
export type TimerFired = { kind: 'grace_expired'; at: number } | { kind: 'no_show_due'; at: number } | { kind: 'start_due'; at: number };

export type SessionInput = SessionEvent | ClinicCommand | TimerFired;

/** Why a clinic command cannot be carried out in the session's status. */
export type Refusal = 'session_not_active' | 'session_active' | 'session_ended' | 'session_cancelled' | 'session_no_show';

export type ClosedStatus = Exclude<SessionStatus, 'waiting' | 'active'>;

export interface SessionState {
  sessionId: string;
  appointment: Appointment;
  /** Who holds the session and what starts it, derived from the appointment. */
  roster: Roster;
  policy: RolePolicy;
  lifecycle: LifecycleRules;
  /** epoch ms, or null when the clinic gave no time. */
  scheduledStart: number | null;
  status: SessionStatus;
  /** The first moment the start rule held (every required participant connected), epoch ms, LiveKit time. */
  actualStart: number | null;
  /** For `ended`: when the clinic ended it, or when the last one holding it left (timeout). */
  actualEnd: number | null;
  endReason: EndReason | null;
  /** When the session closed (any final status), in the time of the input that closed it. */
  closedAt: number | null;
  /** Keyed by participant sid. */
  presences: Readonly<Record<string, Presence>>;
  /** Every `room_finished` time, ascending: a room's end closes the presences still open in it. */
  roomFinishes: readonly number[];
  /** The latest moment someone holding the session (a seat) left (clamped leave or room end), epoch ms. */
  lastPairLeftAt: number | null;
  /** Connected sids per role now: student, counselor and guest always, and every role the appointment names. */
  connected: Readonly<Record<'student' | 'counselor' | 'guest', number> & Partial<Record<Role, number>>>;
  /** Sids that ever connected, per seat (`student` and `counselor` always listed); order carries no meaning. */
  seats: Readonly<Record<'student' | 'counselor', readonly string[]> & Record<string, readonly string[]>>;
  /** Connected sids per seat now. */
  occupied: Readonly<Record<string, number>>;
  /** A group starting at its scheduled time: a timer showed that time reached. */
  scheduleReached: boolean;
}

export type Effect =
  /** The start rule holds for the first time (everyone required connected at once): tell the room (snapshot and data message). */
  | { type: 'activate'; sessionId: string; startedAt: number }
  /** Someone the appointment names connected (new sid) to an already active session. */
  | { type: 'notify_active'; sessionId: string; identity: string; sid: string; startedAt: number }
  /** Active, and nobody holding it is connected: end the session at `dueAt` unless one returns. */
  | { type: 'await_return'; sessionId: string; lastLeftAt: number; dueAt: number }
  /** A scheduled session still waiting: decide the no-show at `dueAt` (a timer that fired early asks again). */
  | { type: 'await_no_show'; sessionId: string; dueAt: number }
  /** A group starting at its scheduled time is not there yet: fire `start_due` at `dueAt`. */
  | { type: 'await_start'; sessionId: string; dueAt: number }
  /** Before the start, someone the start waits for took their seat and the rule does not hold yet; `missing`: whom it still waits for. */
  | { type: 'waiting'; sessionId: string; identity: string; role: Exclude<Role, 'guest' | 'observer'>; since: number; missing: MissingPerson[] }
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

/** A new session; give it an appointment `checkAppointment` accepts. */
export function newSession(sessionId: string, appointment: Appointment, options: NewSessionOptions = {}): SessionState {
  const roster = rosterOf(appointment);
  const connected: Draft['connected'] = { student: 0, counselor: 0, guest: 0 };
  const seats: Draft['seats'] = { student: [], counselor: [] };
  const occupied: Record<string, number> = {};
  for (const person of roster.people) {
    connected[person.role] = 0;
    if (person.seat === null) continue;
    seats[person.seat] = [];
    occupied[person.seat] = 0;
  }
  return {
    sessionId,
    appointment,
    roster,
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
    connected,
    seats,
    occupied,
    scheduleReached: false,
  };
}

/** A state whose fields `apply` may change in place; `decide` hands it a copy. */
interface Draft extends Omit<SessionState, 'presences' | 'roomFinishes' | 'connected' | 'seats' | 'occupied'> {
  presences: Record<string, Presence>;
  roomFinishes: number[];
  connected: Record<'student' | 'counselor' | 'guest', number> & Partial<Record<Role, number>>;
  seats: Record<'student' | 'counselor', string[]> & Record<string, string[]>;
  occupied: Record<string, number>;
}

function draftOf(state: SessionState): Draft {
  return {
    ...state,
    presences: { ...state.presences },
    roomFinishes: [...state.roomFinishes],
    connected: { ...state.connected },
    seats: copySeats(state.seats),
    occupied: { ...state.occupied },
  };
}

function copySeats(seats: SessionState['seats']): Draft['seats'] {
  const copy: Draft['seats'] = { student: [], counselor: [] };
  for (const [seat, sids] of Object.entries(seats)) copy[seat] = [...sids];
  return copy;
}

const isOpen = (status: SessionStatus): boolean => status === 'waiting' || status === 'active';
const seatOfPresence = (state: SessionState, presence: Presence): string | null => seatOf(state.roster, presence.identity, presence.role);

/** How many sids of people holding the session are connected now. */
export function holdersConnected(state: Pick<SessionState, 'occupied'>): number {
  let count = 0;
  for (const connectedSids of Object.values(state.occupied)) count += connectedSids;
  return count;
}

/** Whether the start rule asks for this seat: a required seat, or a seat of a role a group counts. */
function countsForStart(roster: Roster, seat: string, role: Role): boolean {
  return roster.requirements.some((requirement) => (requirement.kind === 'seat' ? requirement.seat === seat : requirement.role === role));
}

function close(draft: Draft, status: ClosedStatus, reason: EndReason, at: number, endedAt: number | null): Effect {
  draft.status = status;
  draft.endReason = reason;
  draft.closedAt = at;
  draft.actualEnd = endedAt;
  return { type: 'close', sessionId: draft.sessionId, status, reason, at, startedAt: draft.actualStart, endedAt };
}

function awaitReturn(draft: Draft): Effect | null {
  if (draft.status !== 'active' || holdersConnected(draft) > 0 || draft.lastPairLeftAt === null) return null;
  const lastLeftAt = draft.lastPairLeftAt;
  return { type: 'await_return', sessionId: draft.sessionId, lastLeftAt, dueAt: lastLeftAt + draft.lifecycle.rejoinGraceMs };
}

const leftAtOf = (presence: Presence | undefined): number | null => (presence ? (intervalOf(presence)?.leftAt ?? null) : null);

/** The latest leave of any seated sid: a scan, needed only when a close moved earlier. */
function latestSeatLeave(draft: Draft): number | null {
  let latest: number | null = null;
  for (const sids of Object.values(draft.seats)) {
    for (const sid of sids) {
      const leftAt = leftAtOf(draft.presences[sid]);
      if (leftAt !== null && (latest === null || leftAt > latest)) latest = leftAt;
    }
  }
  return latest;
}

/** Puts `next` in place of `before` and keeps the counts, the seats and the last leave in step. */
function replacePresence(draft: Draft, before: Presence | undefined, next: Presence): void {
  draft.presences[next.sid] = next;
  const seat = seatOfPresence(draft, next);
  const wasConnected = before?.outcome === 'connected';
  const isConnected = next.outcome === 'connected';
  if (wasConnected !== isConnected) {
    const change = isConnected ? 1 : -1;
    draft.connected[next.role] = (draft.connected[next.role] ?? 0) + change;
    if (seat !== null) draft.occupied[seat] = (draft.occupied[seat] ?? 0) + change;
  }
  if (seat === null) return;
  // A seat of its own (a substitute's) is listed from its first event, whatever the events' order.
  draft.occupied[seat] ??= 0;
  const sids = (draft.seats[seat] ??= []);
  const hadSpan = before !== undefined && intervalOf(before) !== null;
  const hasSpan = intervalOf(next) !== null;
  if (!hadSpan && hasSpan) sids.push(next.sid);
  // An abort after the join: the sid never really connected (rare, so the splice is cheap enough).
  else if (hadSpan && !hasSpan) sids.splice(sids.indexOf(next.sid), 1);
  const was = leftAtOf(before);
  const now = leftAtOf(next);
  // A room's end closed this sid, then its own earlier leave arrived: the last leave may move back.
  if (was !== null && was === draft.lastPairLeftAt && (now === null || now < was)) draft.lastPairLeftAt = latestSeatLeave(draft);
  else if (now !== null && (draft.lastPairLeftAt === null || now > draft.lastPairLeftAt)) draft.lastPairLeftAt = now;
}

/** Every seated sid's connected span. */
function* seatSpans(draft: Draft): Generator<SeatSpan> {
  for (const [seat, sids] of Object.entries(draft.seats)) {
    for (const sid of sids) {
      const presence = draft.presences[sid];
      const span = presence ? intervalOf(presence) : null;
      if (presence && span) yield { seat, role: presence.role, ...span };
    }
  }
}

/**
 * The earliest instant the start rule may hold: the appointment's last change (no bound when it
 * never changed), and for a group starting at its scheduled time the scheduled start once a timer
 * showed it reached (null before: nothing starts it).
 */
function startFloor(draft: Draft): number | null {
  const changed = draft.roster.since ?? -Infinity;
  if (!draft.roster.startsAtSchedule) return changed;
  return draft.scheduleReached && draft.scheduledStart !== null ? Math.max(draft.scheduledStart, changed) : null;
}

/** Moves `actualStart` to the first moment the rule held within [from, until], if earlier. */
function moveStartEarlier(draft: Draft, from: number, until: number | null): void {
  const floor = startFloor(draft);
  if (floor === null) return;
  const windowFrom = Math.max(from, floor);
  const windowUntil = draft.actualStart === null ? until : Math.min(until ?? Infinity, draft.actualStart);
  if (windowUntil !== null && windowFrom > windowUntil) return;
  const found = firstMomentMet(draft.roster.requirements, seatSpans(draft), windowFrom, windowUntil);
  if (found !== null && (draft.actualStart === null || found < draft.actualStart)) draft.actualStart = found;
}

/**
 * Moves `actualStart` earlier if the rule held at some instant of `presence`'s span. The first
 * moment the rule holds lies in the span of everyone counting then, so sweeping each changed
 * span finds it once the last of their events is in.
 */
function advanceStart(draft: Draft, presence: Presence): void {
  const seat = seatOfPresence(draft, presence);
  if (seat === null || !countsForStart(draft.roster, seat, presence.role)) return;
  const span = intervalOf(presence);
  // Any moment within this span is at or after its join: nothing to find once the start is earlier.
  if (!span || (draft.actualStart !== null && span.joinedAt >= draft.actualStart)) return;
  moveStartEarlier(draft, span.joinedAt, span.leftAt);
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
  const holdersBefore = holdersConnected(draft);
  const { before, next } = mergeParticipantEvent(draft, event);
  advanceStart(draft, next);
  if (!isOpen(draft.status)) return [];

  const effects: Effect[] = [];
  const { sessionId } = draft;
  if (draft.status === 'waiting' && draft.actualStart !== null) {
    draft.status = 'active';
    effects.push({ type: 'activate', sessionId, startedAt: draft.actualStart });
  } else if (wasActive && draft.actualStart !== null && next.outcome === 'connected' && before?.outcome !== 'connected' && next.role !== 'guest') {
    effects.push({ type: 'notify_active', sessionId, identity: next.identity, sid: next.sid, startedAt: draft.actualStart });
  }
  const seat = seatOfPresence(draft, next);
  const role = next.role;
  if (draft.status === 'waiting' && next.outcome === 'connected' && before?.outcome !== 'connected' && seat !== null && role !== 'guest' && role !== 'observer') {
    // The first device in its seat: later devices of the same person wait already.
    if (draft.occupied[seat] === 1 && countsForStart(draft.roster, seat, role)) {
      effects.push({ type: 'waiting', sessionId, identity: next.identity, role, since: next.joinedAt as number, missing: stillMissing(draft) });
    }
  }
  const justEmptied = holdersBefore > 0 || effects.some((effect) => effect.type === 'activate');
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

function takeRoomFinished(draft: Draft, at: number): Effect[] {
  const holdersBefore = holdersConnected(draft);
  if (!mergeRoomFinished(draft, at) || !isOpen(draft.status) || holdersBefore === 0) return [];
  const waitForReturn = awaitReturn(draft);
  return waitForReturn ? [waitForReturn] : [];
}

/** What a command to a closed session is refused with: how it closed. */
export const REFUSAL_OF_CLOSED: Readonly<Record<ClosedStatus, Refusal>> = {
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

/**
 * A timer at or after the scheduled start shows that time reached: a group starting then starts
 * at the first moment from it with a counselor connected (maybe that very moment).
 */
function reachSchedule(draft: Draft, at: number): Effect[] {
  const { scheduledStart } = draft;
  if (!draft.roster.startsAtSchedule || draft.scheduleReached || scheduledStart === null || at < scheduledStart) return [];
  draft.scheduleReached = true;
  moveStartEarlier(draft, scheduledStart, null);
  if (draft.status !== 'waiting' || draft.actualStart === null) return [];
  draft.status = 'active';
  const effects: Effect[] = [{ type: 'activate', sessionId: draft.sessionId, startedAt: draft.actualStart }];
  const waitForReturn = awaitReturn(draft);
  return waitForReturn ? [...effects, waitForReturn] : effects;
}

function takeTimer(draft: Draft, timer: TimerFired): Effect[] {
  const { lifecycle, sessionId } = draft;
  const started = reachSchedule(draft, timer.at);
  if (started.length > 0) return started;
  if (timer.kind === 'start_due') {
    const due = draft.scheduledStart;
    const early = draft.status === 'waiting' && draft.roster.startsAtSchedule && !draft.scheduleReached && due !== null;
    return early ? [{ type: 'await_start', sessionId, dueAt: due }] : [];
  }
  if (timer.kind === 'grace_expired') {
    const due = draft.lastPairLeftAt === null ? null : draft.lastPairLeftAt + lifecycle.rejoinGraceMs;
    if (draft.status !== 'active' || holdersConnected(draft) > 0 || due === null) return [];
    // Fired before the grace of the last leave we know of (a later leave arrived meanwhile): again then.
    if (timer.at < due) return [awaitReturn(draft) as Effect];
    return [close(draft, 'ended', 'timeout', timer.at, draft.lastPairLeftAt)];
  }
  if (draft.status !== 'waiting' || draft.scheduledStart === null || lifecycle.noShowAfterMs === null) return [];
  const noShowDue = draft.scheduledStart + lifecycle.noShowAfterMs;
  // Fired early (another instance's clock, a window changed since it was armed): again then.
  if (timer.at < noShowDue) return [{ type: 'await_no_show', sessionId, dueAt: noShowDue }];
  // The rule held but the activation has not been recorded yet: start, don't close.
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
    case 'start_due':
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
  const floor = startFloor(draft);
  const together = floor === null ? null : firstMomentMet(draft.roster.requirements, seatSpans(draft), floor, null);
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
 * armed again from the durable record): the rejoin grace of an active session nobody holding it
 * is connected to, the scheduled start of a group that starts then, and the no-show window of a
 * scheduled session still waiting. Give it the state with the recorded decisions laid over
 * (`withRecordedDecisions`).
 */
export function pendingTimers(state: SessionState): PendingTimer[] {
  const timers: PendingTimer[] = [];
  const { lifecycle } = state;
  if (state.status === 'active' && holdersConnected(state) === 0 && state.lastPairLeftAt !== null) {
    timers.push({ kind: 'grace_expired', dueAt: state.lastPairLeftAt + lifecycle.rejoinGraceMs });
  }
  if (state.status === 'waiting' && state.roster.startsAtSchedule && !state.scheduleReached && state.scheduledStart !== null) {
    timers.push({ kind: 'start_due', dueAt: state.scheduledStart });
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
 * alone would give (a start the rule met but not yet recorded is still `waiting`, so deciding the
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
