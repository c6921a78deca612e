// A counseling session as a pure state machine over LiveKit events: `decide` takes the state and
// one event and returns the next state and the effects the service must carry out. No I/O and
// no clock: every instant comes from LiveKit's own timestamps. The rule set is in README.md.

import type { SessionEvent } from './events';
import { withEvent } from './log';
import { derivePresences, intervalOf, pairCompleteAt, type Presence, type PresenceInterval } from './presence';
import type { SessionStatus } from './protocol';
import type { Appointment, Role, RolePolicy } from './roles';

export type { SessionStatus } from './protocol';
export type { Presence, PresenceInterval } from './presence';

export interface SessionState {
  sessionId: string;
  appointment: Appointment;
  policy: RolePolicy;
  status: SessionStatus;
  /** When the student and the counselor were first connected together (epoch ms, LiveKit time). */
  actualStart: number | null;
  /** The `room_finished` time (epoch ms, LiveKit time). */
  actualEnd: number | null;
  /** Keyed by participant sid. */
  presences: Readonly<Record<string, Presence>>;
  /** Every event taken so far, de-duplicated by id, in canonical order (LiveKit time, kind, id). */
  events: readonly SessionEvent[];
}

export type Effect =
  /** Once per session: tell the room the session started (snapshot and data message). */
  | { type: 'activate'; sessionId: string; startedAt: number }
  /** A student or counselor connected (new sid) to an already active session. */
  | { type: 'notify_active'; sessionId: string; identity: string; sid: string; startedAt: number }
  /** The room finished; `started` says whether the session ever turned active. */
  | { type: 'end'; sessionId: string; endedAt: number; started: boolean };

export function newSession(sessionId: string, appointment: Appointment, policy: RolePolicy = {}): SessionState {
  return {
    sessionId,
    appointment,
    policy,
    status: 'waiting',
    actualStart: null,
    actualEnd: null,
    presences: {},
    events: [],
  };
}

const roomFinishedAt = (log: readonly SessionEvent[]): number | null =>
  log.find((event) => event.kind === 'room_finished')?.at ?? null;

/**
 * Takes one event. Duplicates (same id) and anything after the end change nothing. Presences
 * and the pair-complete moment are recomputed from the whole log, so a late event can reveal a
 * past overlap (activating with, or moving `actualStart` back to, that earlier moment); an
 * activation is never taken back, and `actualStart` never moves later.
 */
export function decide(state: SessionState, event: SessionEvent): { state: SessionState; effects: Effect[] } {
  if (state.status === 'ended') return { state, effects: [] };
  const events = withEvent(state.events, event);
  if (events === state.events) return { state, effects: [] };

  const actualEnd = roomFinishedAt(events);
  const presences = derivePresences(events, state.appointment, state.policy, actualEnd);
  const pairAt = pairCompleteAt(presences);
  const actualStart =
    state.actualStart === null ? pairAt : pairAt === null ? state.actualStart : Math.min(state.actualStart, pairAt);
  const status: SessionStatus = actualEnd !== null ? 'ended' : actualStart !== null ? 'active' : 'waiting';
  const next: SessionState = { ...state, status, actualStart, actualEnd, presences, events };

  const { sessionId } = state;
  const effects: Effect[] = [];
  if (state.actualStart === null && actualStart !== null) {
    effects.push({ type: 'activate', sessionId, startedAt: actualStart });
  } else if (state.status === 'active' && actualStart !== null && event.kind === 'participant_joined') {
    const joined = presences[event.participant.sid];
    if (joined && joined.outcome === 'connected' && joined.role !== 'guest') {
      effects.push({ type: 'notify_active', sessionId, identity: joined.identity, sid: joined.sid, startedAt: actualStart });
    }
  }
  if (actualEnd !== null) effects.push({ type: 'end', sessionId, endedAt: actualEnd, started: actualStart !== null });
  return { state: next, effects };
}

/** Folds `events` through {@link decide} from a new session. */
export function replay(
  sessionId: string,
  appointment: Appointment,
  events: Iterable<SessionEvent>,
  policy: RolePolicy = {},
): SessionState {
  let state = newSession(sessionId, appointment, policy);
  for (const event of events) state = decide(state, event).state;
  return state;
}

export interface Attendance {
  identity: string;
  role: Role;
  /** Connected now through at least one of its sids. */
  connected: boolean;
  /** Every sid's connected span, sorted by `joinedAt`. */
  intervals: PresenceInterval[];
}

/**
 * Attendance per identity over all its sids (devices, reloads): the appointment's student and
 * counselor always first, then everyone else by identity. Aborted connections add no interval.
 */
export function attendance(state: SessionState): Attendance[] {
  const { studentIdentity, counselorIdentity } = state.appointment;
  const byIdentity = new Map<string, Attendance>();
  const entryFor = (identity: string, role: Role): Attendance => {
    const existing = byIdentity.get(identity);
    if (existing) return existing;
    const created: Attendance = { identity, role, connected: false, intervals: [] };
    byIdentity.set(identity, created);
    return created;
  };
  entryFor(studentIdentity, 'student');
  entryFor(counselorIdentity, 'counselor');
  // Sids in canonical log order, so an identity the appointment does not name takes the role of
  // its first sid whatever order the presences map was built in.
  const sids = new Set(state.events.flatMap((event) => ('participant' in event ? [event.participant.sid] : [])));
  for (const sid of sids) {
    const presence = state.presences[sid];
    if (!presence) continue;
    const entry = entryFor(presence.identity, presence.role);
    if (presence.outcome === 'connected') entry.connected = true;
    const interval = intervalOf(presence);
    if (interval) entry.intervals.push(interval);
  }
  const named = new Set([studentIdentity, counselorIdentity]);
  const others = [...byIdentity.values()]
    .filter((entry) => !named.has(entry.identity))
    .sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
  const ordered = [...byIdentity.values()].filter((entry) => named.has(entry.identity)).concat(others);
  for (const entry of ordered) entry.intervals.sort(byJoinThenLeave);
  return ordered;
}

const byJoinThenLeave = (a: PresenceInterval, b: PresenceInterval): number =>
  a.joinedAt - b.joinedAt || (a.leftAt ?? Number.MAX_SAFE_INTEGER) - (b.leftAt ?? Number.MAX_SAFE_INTEGER);

/** How many sids of each role are connected right now. */
export function connectedRoles(state: SessionState): Readonly<Record<Role, number>> {
  const counts: Record<Role, number> = { student: 0, counselor: 0, guest: 0 };
  for (const presence of Object.values(state.presences)) {
    if (presence.outcome === 'connected') counts[presence.role] += 1;
  }
  return counts;
}
